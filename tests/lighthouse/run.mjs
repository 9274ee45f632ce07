// Lighthouse on a list of pages, in one headless Chromium (the machine's, CHROME_PATH, default /usr/bin/chromium):
//   node run.mjs CATEGORIES URL...      e.g. node run.mjs accessibility,best-practices http://127.0.0.1:8000/
// Prints one JSON line per page: {url, scores: {category: 0-100}, failing: [{id, title, score, category}]}.
// Mobile emulation with simulated throttling (Lighthouse's defaults), so scores do not depend on this machine's
// load. Chromium is started without background networking: nothing is fetched beyond the pages' own server.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [categories, ...urls] = process.argv.slice(2);
if (!categories || urls.length === 0) {
  console.error("usage: node run.mjs CATEGORIES URL...");
  process.exit(2);
}
const onlyCategories = categories.split(",");
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--disable-extensions"],
  logLevel: "silent",
});
try {
  for (const url of urls) {
    let lhr = null;
    // Lighthouse sometimes loses the page's trace (NO_NAVSTART, NO_FCP) on a busy machine: one more try.
    for (let attempt = 0; attempt < 2 && (!lhr || lhr.runtimeError); attempt++) {
      lhr = (await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories })).lhr;
    }
    const scores = {};
    const failing = [];
    for (const id of onlyCategories) {
      const category = lhr.categories[id];
      scores[id] = category.score === null ? null : Math.round(category.score * 100);
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const items = (audit.details && audit.details.items) || [];
          const where = items.slice(0, 3)
            .map((item) => item.description || item.url || (item.node && item.node.selector) || "")
            .filter(Boolean);
          failing.push({ id: ref.id, title: audit.title, score: audit.score, category: id,
                         value: audit.displayValue || "", where });
        }
      }
    }
    if (lhr.runtimeError) {
      failing.push({ id: "runtime-error", title: lhr.runtimeError.message, score: 0, category: "all", value: "" });
    }
    if (process.env.LIGHTHOUSE_DETAILS) {  // what made the largest paint late, and what blocked rendering
      for (const id of ["largest-contentful-paint-element", "render-blocking-resources", "network-requests"]) {
        console.error(id, String(JSON.stringify(lhr.audits[id] && lhr.audits[id].details)).slice(0, 4000));
      }
    }
    console.log(JSON.stringify({ url, scores, failing }));
  }
} finally {
  await chrome.kill();
}
