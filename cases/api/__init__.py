"""The partner API's case resources (/api/v1/cases/...): what a key may see of a case follows cases.public, the
rules of the public pages; writes go through the public forms' validation and cases.submissions."""
