"""PFIF 1.4 (People Finder Interchange Format): cases as person records, status and published sightings as notes;
export (XML and Atom feeds, like Person Finder's) and import (persons become cases, notes sightings or status
changes). No PFIF package exists: the XML is written and read with lxml; pfif-1.4.xsd beside this file is the
schema the tests check the output against."""

NS = "http://zesty.ca/pfif/1.4"
