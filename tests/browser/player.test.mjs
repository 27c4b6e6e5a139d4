// Drives Debian's chromium (never a downloaded browser) against an episode page.
//
//   node tests/browser/player.test.mjs http://127.0.0.1:PORT/episodes/SLUG.html [file:///…/episodes/SLUG.html] \
//        [http://127.0.0.1:PORT2/episodes/SLUG2.html [file:///…]]…
//
// Several episode pages (each http URL, with the file:// URL that follows it) are checked one
// after the other in one browser: starting chromium is the slow part. Each page must have at
// least 3 chapters and a transcript. Checks: play/pause
// from the keyboard, N/P chapters, arrows ±10 s, the highlighted sentence follows
// currentTime, + / - speed remembered after a reload, space left to buttons,
// nothing fetched from another origin, and axe-core: no serious or critical
// violation (light and dark, episode page and index). Issue 11: the page's times
// agree with the audio element to the second, a transcript sentence seeks by click
// and by keyboard, at most 3 Tabs from the top to the chapter list, no word wraps
// inside itself at 360 px, the shortcuts disclosure shows its marker. With a
// file:// URL too, the same page must work offline.
//
// Env: CHROMIUM (default /usr/bin/chromium), SCREENSHOTS=dir to save PNGs.
// Prints "# page URL" before each page's checks, one line per check, "page: N passed, N failed"
// after each page, and a closing "N passed, N failed"; exit 1 on any failure.

import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const pages = [];  // [{ httpUrl, fileUrl }]: a file:// argument belongs to the http one before it
let badArgs = false;
for (const arg of process.argv.slice(2)) {
  if (/^https?:/.test(arg)) pages.push({ httpUrl: arg, fileUrl: "" });
  else if (arg.startsWith("file:") && pages.length && !pages.at(-1).fileUrl) pages.at(-1).fileUrl = arg;
  else badArgs = true;
}
if (!pages.length || badArgs) {
  console.error("usage: node player.test.mjs EPISODE_PAGE_URL [FILE_URL] [EPISODE_PAGE_URL [FILE_URL]]...");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const screenshots = process.env.SCREENSHOTS || "";

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`not ok - ${name}\n  ${String(err && err.stack || err).split("\n").slice(0, 4).join("\n  ")}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
function near(actual, expected, tolerance, what) {
  assert(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "audio-news-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
  ],
  viewport: { width: 412, height: 915 },   // a phone
  reducedMotion: "reduce",                 // instant scrolling: deterministic checks
  locale: "ar",
});
context.setDefaultTimeout(10000);

const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];  // of the page set being checked
const foreign = [];
let origin = "";
page.on("pageerror", (err) => pageErrors.push(String(err)));
page.on("console", (msg) => { if (msg.type() === "error") pageErrors.push(msg.text()); });
page.on("response", (res) => { if (res.status() >= 400) pageErrors.push(`${res.status()} ${res.url()}`); });
page.on("request", (req) => {
  const url = req.url();
  if (!(url.startsWith(origin + "/") || url.startsWith("file://") || url.startsWith("data:"))) foreign.push(url);
});

const audioState = () => page.evaluate(() => {
  const a = document.getElementById("audio");
  return { t: a.currentTime, paused: a.paused, rate: a.playbackRate, duration: a.duration, ready: a.readyState };
});
async function seekAndWait(t) {
  await page.evaluate((target) => new Promise((resolve) => {
    const a = document.getElementById("audio");
    const done = () => { a.removeEventListener("timeupdate", done); resolve(); };
    a.addEventListener("timeupdate", done);
    a.currentTime = target;
  }), t);
}
async function press(key) {
  await page.keyboard.press(key);
  await page.waitForTimeout(50);
}
async function focusBody() {
  await page.evaluate(() => { if (document.activeElement) document.activeElement.blur(); });
}
/* m:ss (h:mm:ss) of whole seconds elapsed: how the audio element shows a time. */
function clock(seconds) {
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600), m = Math.floor(total / 60) % 60, s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/* Words (runs between spaces, per text node: <wbr> ends a run) whose boxes lie on more than one line. */
async function wordsWrappedInside() {
  return page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest("script, style") || !n.data.trim() ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    const spans = [];
    for (const node of nodes) {
      const frag = document.createDocumentFragment();
      for (const part of node.data.split(/(\s+)/)) {
        if (!part) continue;
        if (/^\s+$/.test(part)) { frag.appendChild(document.createTextNode(part)); continue; }
        const span = document.createElement("span");
        span.textContent = part;
        frag.appendChild(span);
        spans.push(span);
      }
      node.replaceWith(frag);
    }
    const wrapped = [];
    for (const span of spans) {
      const rects = [...span.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length < 2) continue;
      const tops = rects.map((r) => r.top);
      const lineHeight = Math.min(...rects.map((r) => r.height));
      if (Math.max(...tops) - Math.min(...tops) > lineHeight / 2) wrapped.push(span.textContent);
    }
    return { words: spans.length, wrapped, overflow: document.documentElement.scrollWidth - window.innerWidth };
  });
}

async function axe(label) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations) {
    console.log(`  axe ${label}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help}`);
    if (v.impact === "serious" || v.impact === "critical") {
      for (const node of v.nodes.slice(0, 3)) console.log(`    ${node.target.join(" ")} ${node.failureSummary.replace(/\n/g, " ")}`);
    }
  }
  assert(bad.length === 0, `${bad.length} serious/critical axe violations on ${label}: ${bad.map((v) => v.id).join(", ")}`);
}

let chapters = [];
let cues = [];

async function checkPage(httpUrl, fileUrl) {
  chapters = [];
  cues = [];
  pageErrors.length = 0;
  foreign.length = 0;
  origin = new URL(httpUrl).origin;
  await check("episode page loads with its metadata", async () => {
    await page.goto(httpUrl);
    await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
    const data = await page.evaluate(() => JSON.parse(document.getElementById("episode-data").textContent));
    chapters = data.chapters;
    cues = data.cues;
    assert(chapters.length >= 3, `needs >= 3 chapters, has ${chapters.length}`);
    assert(cues.length >= 3, `needs >= 3 cues, has ${cues.length}`);
    const st = await audioState();
    assert(st.duration > 5, `duration ${st.duration}`);
    const dom = await page.evaluate(() => ({
      lang: document.documentElement.lang, dir: document.documentElement.dir,
      buttons: document.querySelectorAll("button.chapter").length, cues: document.querySelectorAll("#transcript .cue").length,
    }));
    assert(dom.lang === "ar" && dom.dir === "rtl", `lang/dir ${dom.lang}/${dom.dir}`);
    assert(dom.buttons === chapters.length && dom.cues === cues.length, JSON.stringify(dom));
    if (screenshots) await page.screenshot({ path: path.join(screenshots, "episode.png"), fullPage: true });
  });

  await check("space plays and pauses", async () => {
    await focusBody();
    await press("Space");
    await page.waitForFunction(() => !document.getElementById("audio").paused);
    await page.waitForFunction(() => document.getElementById("audio").currentTime > 0.3);
    const label = await page.textContent('[data-action="play"]');
    assert(label.includes("إيقاف"), `play button says ${label}`);
    await press("Space");
    await page.waitForFunction(() => document.getElementById("audio").paused);
  });

  await check("N twice from the start reaches chapter 3", async () => {
    await seekAndWait(0);
    await focusBody();
    await press("KeyN");
    await press("KeyN");
    const st = await audioState();
    near(st.t, chapters[2].start, 0.3, "currentTime after N N");
    await page.waitForFunction(() => document.querySelectorAll('button.chapter[aria-current="true"]').length === 1);
    const current = await page.getAttribute('button.chapter[aria-current="true"]', "data-index");
    assert(current === "2", `current chapter button ${current}`);
    const announced = await page.textContent("#now");
    assert(announced.includes(chapters[2].title), `live region says ${announced}`);
  });

  await check("P at a chapter's start goes to the previous chapter; later in it, to its start", async () => {
    await press("KeyP");
    near((await audioState()).t, chapters[1].start, 0.3, "after P");
    await seekAndWait(chapters[1].start + 4);
    await press("KeyP");
    near((await audioState()).t, chapters[1].start, 0.3, "after P 4 s in");
  });

  await check("N on an Arabic keyboard layout (key ى, code KeyN)", async () => {
    await seekAndWait(0.5);
    await page.evaluate(() => document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "ى", code: "KeyN", bubbles: true, cancelable: true })));
    near((await audioState()).t, chapters[1].start, 0.3, "after ى");
  });

  await check("ArrowRight +10 s, ArrowLeft -10 s", async () => {
    await seekAndWait(2);
    await focusBody();
    await press("ArrowRight");
    near((await audioState()).t, 12, 0.3, "after ArrowRight");
    await press("ArrowLeft");
    near((await audioState()).t, 2, 0.3, "after ArrowLeft");
  });

  await check("the highlighted sentence follows currentTime and is scrolled into view", async () => {
    const picks = [0, Math.floor(cues.length / 2), cues.length - 1];
    for (const i of picks) {
      const cue = cues[i];
      const t = cue.start + Math.min(0.5, (cue.end - cue.start) / 2);
      await seekAndWait(t);
      await page.waitForTimeout(100);
      const state = await page.evaluate(() => {
        const marked = [...document.querySelectorAll("#transcript .cue.current")];
        const box = document.getElementById("transcript").getBoundingClientRect();
        const r = marked[0] && marked[0].getBoundingClientRect();
        return {
          ids: marked.map((el) => el.id), aria: marked[0] && marked[0].getAttribute("aria-current"),
          visible: !!r && r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
        };
      });
      assert(state.ids.length === 1 && state.ids[0] === `cue-${i}`, `at ${t}: marked ${state.ids} (want cue-${i})`);
      assert(state.aria === "true", "aria-current not set");
      assert(state.visible, `cue-${i} not scrolled into view`);
    }
  });

  await check("space on a chapter button activates it (not hijacked)", async () => {
    await seekAndWait(0);
    await page.focus(`button.chapter[data-index="${chapters.length - 1}"]`);
    await press("Space");
    await page.waitForFunction(() => !document.getElementById("audio").paused);
    near((await audioState()).t, chapters[chapters.length - 1].start, 0.6, "after space on the last chapter");
    await page.evaluate(() => document.getElementById("audio").pause());
  });

  await check("+ and - change the speed by 0.25 within 0.75..2.5", async () => {
    await focusBody();
    const start = (await audioState()).rate;
    near(start, 1, 0.001, "initial rate");
    await press("+");
    await press("+");
    near((await audioState()).rate, 1.5, 0.001, "after + +");
    assert((await page.textContent("#rate")).trim() === "1.5×", "rate output");
    await press("-");
    near((await audioState()).rate, 1.25, 0.001, "after -");
    for (let i = 0; i < 10; i++) await press("+");
    near((await audioState()).rate, 2.5, 0.001, "upper bound");
    for (let i = 0; i < 10; i++) await press("-");
    near((await audioState()).rate, 0.75, 0.001, "lower bound");
    await press("+");
    await press("+");
    near((await audioState()).rate, 1.25, 0.001, "back to 1.25");
  });

  await check("the speed is remembered after a reload", async () => {
    await page.reload();
    await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
    await page.waitForTimeout(100);
    near((await audioState()).rate, 1.25, 0.001, "rate after reload");
    assert((await page.textContent("#rate")).trim() === "1.25×", "rate output after reload");
  });

  await check("axe: episode page (light), no serious or critical violations", async () => {
    await seekAndWait(cues[1].start + 0.1);    // a highlighted cue and chapter are on screen
    await axe("episode, light");
  });

  await check("axe: episode page (dark)", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    await axe("episode, dark");
    if (screenshots) await page.screenshot({ path: path.join(screenshots, "episode-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  await check("axe: index page", async () => {
    await page.goto(new URL("../index.html", httpUrl).href);
    await axe("index, light");
    await page.emulateMedia({ colorScheme: "dark" });
    await axe("index, dark");
    await page.emulateMedia({ colorScheme: "light" });
    if (screenshots) await page.screenshot({ path: path.join(screenshots, "index.png"), fullPage: true });
  });

  await check("times on the page agree with the audio element to the second", async () => {
    await page.goto(httpUrl);
    await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
    const shown = await page.evaluate(() => [...document.querySelectorAll("button.chapter")]
      .map((b) => ({ start: parseFloat(b.dataset.start), text: b.querySelector(".chapter-time").textContent.trim() })));
    assert(shown.some((c) => c.start % 1 > 0.5), "the test needs a chapter starting past a half second");
    for (const chapter of shown) {
      await seekAndWait(chapter.start);
      const t = (await audioState()).t;
      assert(chapter.text === clock(t), `chapter at ${chapter.start} s shows ${chapter.text}, the audio is at ${clock(t)} (${t})`);
    }
    const { duration } = await audioState();
    const text = (await page.textContent(".meta time[dir=ltr]")).trim();
    const agree = [clock(duration), clock(duration - 0.05), clock(duration + 0.05)];
    assert(agree.includes(text), `duration shown ${text}, the audio's is ${duration} (${clock(duration)})`);
    console.log(`  chapters ${shown.map((c) => `${c.start}s=${c.text}`).join(" ")}; duration ${duration.toFixed(2)}s=${text}`);
  });

  await check("the audio URL carries the episode's version token (?v=) and plays", async () => {
    const src = await page.getAttribute("#audio", "src");
    const ready = (await audioState()).ready;
    assert(ready >= 1, `readyState ${ready} for ${src}`);
    if (!httpUrl.includes("/episodes/test-episode.html")) return;  // a real build: its own token, checked in test_player.py
    assert(/\.mp3\?v=0123456789ab$/.test(src), `src ${src}`);
  });

  await check("a transcript sentence seeks when clicked", async () => {
    await seekAndWait(0);
    const i = cues.length - 2;
    await page.click(`#cue-${i}`);
    near((await audioState()).t, cues[i].start, 0.3, `after a click on sentence ${i}`);
    await page.waitForFunction((id) => document.querySelector("#transcript .cue.current")?.id === id, `cue-${i}`);
  });

  await check("a transcript sentence seeks from the keyboard (one Tab stop, arrows, Enter and Space)", async () => {
    await seekAndWait(0);
    const stops = await page.evaluate(() => [...document.querySelectorAll("#transcript .cue")].filter((el) => el.tabIndex === 0).length);
    assert(stops === 1, `${stops} sentences in the Tab order`);
    await page.focus("#cue-0");
    await press("ArrowDown");
    await press("ArrowDown");
    const focused = await page.evaluate(() => document.activeElement.id);
    assert(focused === "cue-2", `focus on ${focused} after ArrowDown twice`);
    await press("Enter");
    near((await audioState()).t, cues[2].start, 0.3, "after Enter on sentence 2");
    await press("ArrowUp");
    await press("Space");
    near((await audioState()).t, cues[1].start, 0.3, "after Space on sentence 1");
    assert((await audioState()).paused, "Space on a sentence seeks; it does not toggle playback");
    const role = await page.getAttribute("#cue-1", "role");
    assert(role === "button", `sentence role ${role}`);
  });

  await check("a page written before its transcript: the fetched sentences seek too", async () => {
    let stripped = false;
    await page.route(httpUrl, async (route) => {
      const response = await route.fetch();
      const body = (await response.text())
        .replace(/<p class="cue"[^]*?<\/p>\n?/g, "")
        .replace(/"cues":\[[^<]*\]\}<\/script>/, '"cues":[]}</script>');
      stripped = !body.includes('class="cue"') && body.includes('"cues":[]}');
      await route.fulfill({ response, body });
    });
    try {
      await page.goto(httpUrl);
      assert(stripped, "the page still holds its transcript: the test would not reach the fetch");
      await page.waitForFunction((n) => document.querySelectorAll("#transcript .cue").length === n, cues.length);
      const stops = await page.evaluate(() => [...document.querySelectorAll("#transcript .cue")]
        .map((el) => `${el.getAttribute("role")}:${el.tabIndex}`).join(" "));
      assert(stops.startsWith("button:0 button:-1"), `fetched sentences: ${stops}`);
      await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
      await page.click("#cue-3");
      near((await audioState()).t, cues[3].start, 0.3, "after a click on a fetched sentence");
    } finally {
      await page.unroute(httpUrl);
    }
  });

  await check("at most 3 Tab presses from the top of the page to the chapter list", async () => {
    await page.goto(httpUrl);
    await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
    let tabs = 0;
    const path = [];
    for (; tabs < 20; ) {
      await press("Tab");
      tabs += 1;
      const at = await page.evaluate(() => {
        const el = document.activeElement;
        return { inList: !!el.closest(".chapter-list"), skip: el.matches('a.skip-link[href="#chapters-h"]'), what: `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""}` };
      });
      path.push(at.what);
      if (at.inList) break;
      if (at.skip) { await press("Enter"); path.push("Enter"); }
    }
    console.log(`  ${tabs} Tabs: ${path.join(" → ")}`);
    assert(tabs <= 3, `${tabs} Tab presses to the chapter list`);
    const first = await page.evaluate(() => document.activeElement.getAttribute("data-index"));
    assert(first === "0", `lands on chapter ${first}`);
  });

  await check("the shortcuts disclosure shows a marker", async () => {
    const marker = await page.evaluate(() => {
      const summary = document.querySelector("details.keys summary");
      const style = getComputedStyle(summary);
      const before = getComputedStyle(summary, "::before").content;
      return { display: style.display, list: style.listStyleType, before };
    });
    const shown = (marker.display === "list-item" && marker.list !== "none") || (marker.before && marker.before !== "none");
    assert(shown, `no marker: ${JSON.stringify(marker)}`);
  });

  await check("nothing wraps inside a word at 360 px (episode page and index)", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      for (const url of [httpUrl, new URL("../index.html", httpUrl).href]) {
        await page.goto(url);
        const result = await wordsWrappedInside();
        console.log(`  ${decodeURIComponent(new URL(url).pathname)}: ${result.words} words, ${result.wrapped.length} wrapped inside, overflow ${result.overflow}px`);
        assert(result.wrapped.length === 0, `wrapped inside a word: ${result.wrapped.join(" | ")}`);
        assert(result.overflow <= 0, `the page is ${result.overflow}px wider than the screen`);
      }
    } finally {
      await page.setViewportSize({ width: 412, height: 915 });
    }
  });

  await check("large touch targets (>= 48px) on the episode page", async () => {
    await page.goto(httpUrl);
    const small = await page.evaluate(() => [...document.querySelectorAll("button, summary, .site-header a, .downloads a, #transcript .cue")]
      .map((el) => ({ el: el.outerHTML.slice(0, 60), r: el.getBoundingClientRect() }))
      .filter((x) => x.r.width > 0 && (x.r.height < 47.5 || x.r.width < 47.5))
      .map((x) => `${x.el} ${Math.round(x.r.width)}x${Math.round(x.r.height)}`));
    assert(small.length === 0, `small targets: ${small.join("; ")}`);
  });

  if (fileUrl) {
    await check("from file:// it works with no server", async () => {
      await page.goto(fileUrl);
      await page.waitForFunction(() => document.getElementById("audio").readyState >= 1);
      const n = await page.evaluate(() => document.querySelectorAll("#transcript .cue").length);
      assert(n === cues.length, `${n} cues from file://`);
      await seekAndWait(0);
      await focusBody();
      await press("KeyN");
      near((await audioState()).t, chapters[1].start, 0.3, "N from file://");
      await seekAndWait(cues[2].start + 0.1);
      const marked = await page.evaluate(() => document.querySelector("#transcript .cue.current")?.id);
      assert(marked === "cue-2", `marked ${marked}`);
    });
  }

  await check("no script errors and nothing fetched from another origin", async () => {
    assert(pageErrors.length === 0, `errors: ${pageErrors.join(" | ")}`);
    assert(foreign.length === 0, `foreign requests: ${foreign.join(" ")}`);
  });
}

try {
  for (const { httpUrl, fileUrl } of pages) {
    const [passedBefore, failedBefore] = [passed, failed];
    console.log(`# page ${httpUrl}`);
    await checkPage(httpUrl, fileUrl);
    console.log(`page: ${passed - passedBefore} passed, ${failed - failedBefore} failed`);
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
