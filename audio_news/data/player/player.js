/* audio-news web player: chapters, transcript that follows the voice, speed,
   keyboard controls. Self-contained: no network, no dependencies, works from
   file://. Written into out/player/ by audio_news.player.write_site.

   Keys (not while typing in a field; space is left alone on buttons and links):
     Space        play / pause
     ArrowRight   +10 s   ArrowLeft  -10 s   (the timeline runs left to right,
                                               as in every audio player, RTL page or not)
     N / P        next / previous chapter (P: start of this chapter if > 3 s in)
     + / -        speed +/- 0.25 within 0.75..2.5, remembered (localStorage)
   In the transcript (one Tab stop; the focus follows the voice until you move it):
     click, Enter or Space on a sentence   listen from its start
     ArrowUp / ArrowDown, Home / End       previous / next, first / last sentence
*/
(function () {
  "use strict";

  var RATE_KEY = "audio-news.playbackRate";
  var MIN_RATE = 0.75;
  var MAX_RATE = 2.5;
  var RATE_STEP = 0.25;
  var SKIP_S = 10;
  var RESTART_S = 3;     // P within this many seconds of a chapter's start: previous chapter
  var EPSILON_S = 0.25;  // a seek lands a hair before its target

  function loadRate() {
    try {
      var value = parseFloat(window.localStorage.getItem(RATE_KEY));
      if (isFinite(value) && value >= MIN_RATE && value <= MAX_RATE) return value;
    } catch (e) { /* storage disabled */ }
    return 1;
  }

  function saveRate(value) {
    try { window.localStorage.setItem(RATE_KEY, String(value)); } catch (e) { /* storage disabled */ }
  }

  function formatRate(value) {
    return String(Math.round(value * 100) / 100) + "×";
  }

  /* The last item whose start is at or before t (items sorted by start), or -1. */
  function indexAt(items, t) {
    var lo = 0, hi = items.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (items[mid].start <= t + EPSILON_S) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function parseVtt(text) {
    var cues = [];
    var stamp = /(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})/;
    function seconds(s) {
      var m = stamp.exec(s);
      if (!m) return NaN;
      return (parseInt(m[1] || "0", 10) * 60 + parseInt(m[2], 10)) * 60 + parseInt(m[3], 10) + parseInt(m[4], 10) / 1000;
    }
    var scratch = document.createElement("textarea");
    text.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/).forEach(function (block) {
      var lines = block.split("\n").filter(function (l) { return l.trim(); });
      for (var i = 0; i < lines.length; i++) {
        if (lines[i].indexOf("-->") < 0) continue;
        var parts = lines[i].split("-->");
        var body = lines.slice(i + 1).join(" ").replace(/<[^>]*>/g, "");
        scratch.innerHTML = body;  // a textarea decodes entities and runs nothing
        body = scratch.value.replace(/\s+/g, " ").trim();
        var start = seconds(parts[0]), end = seconds(parts[1]);
        if (body && isFinite(start) && isFinite(end)) cues.push({ start: start, end: end, text: body });
        break;
      }
    });
    return cues;
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function activatesOnSpace(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName;
    var role = el.getAttribute && el.getAttribute("role");
    return tag === "BUTTON" || tag === "A" || tag === "SUMMARY" || tag === "AUDIO" || tag === "VIDEO" ||
      role === "button" || role === "link" || role === "checkbox" || role === "switch";
  }

  /* The key as a letter: the Latin letter typed, or on another layout (Arabic)
     the letter of the physical key. */
  function letterOf(e) {
    if (/^[a-z]$/i.test(e.key)) return e.key.toLowerCase();
    if (e.code && /^Key[A-Z]$/.test(e.code)) return e.code.slice(3).toLowerCase();
    return "";
  }

  function setupEpisode(audio) {
    var dataEl = document.getElementById("episode-data");
    var data = {};
    try { data = JSON.parse(dataEl ? dataEl.textContent : "{}"); } catch (e) { data = {}; }
    var chapters = data.chapters || [];
    var cues = data.cues || [];
    var chapterButtons = Array.prototype.slice.call(document.querySelectorAll("button.chapter"));
    var transcript = document.getElementById("transcript");
    var cueEls = transcript ? Array.prototype.slice.call(transcript.querySelectorAll(".cue")) : [];
    var now = document.getElementById("now");
    var rateOut = document.getElementById("rate");
    var playButton = document.querySelector('[data-action="play"]');
    var currentCue = -1;
    var currentChapter = -1;
    var userScrolledAt = 0;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    /* --- speed --- */
    function setRate(value, remember) {
      value = Math.min(MAX_RATE, Math.max(MIN_RATE, Math.round(value / RATE_STEP) * RATE_STEP));
      audio.defaultPlaybackRate = value;
      audio.playbackRate = value;
      if (rateOut) rateOut.textContent = formatRate(value);
      if (remember) saveRate(value);
    }
    setRate(loadRate(), false);
    if (rateOut) rateOut.setAttribute("aria-live", "polite");  // announce changes, not the first value
    audio.addEventListener("ratechange", function () {
      var value = audio.playbackRate;
      if (rateOut) rateOut.textContent = formatRate(value);
      if (value >= MIN_RATE && value <= MAX_RATE) saveRate(value);
    });
    audio.addEventListener("loadedmetadata", function () {
      var value = loadRate();
      if (audio.playbackRate !== value) setRate(value, false);
    });

    /* --- playing and seeking --- */
    function toggle() {
      if (audio.paused || audio.ended) {
        var started = audio.play();
        if (started && started.catch) started.catch(function () { /* blocked or no source */ });
      } else {
        audio.pause();
      }
    }

    function seek(t) {
      var end = isFinite(audio.duration) ? audio.duration : Infinity;
      audio.currentTime = Math.max(0, Math.min(t, end));
      update();
    }

    function nextChapter() {
      var i = indexAt(chapters, audio.currentTime);
      if (i + 1 < chapters.length) seek(chapters[i + 1].start);
    }

    function previousChapter() {
      var t = audio.currentTime;
      var i = indexAt(chapters, t);
      if (i < 0) { seek(0); return; }
      if (t - chapters[i].start > RESTART_S || i === 0) seek(chapters[i].start);
      else seek(chapters[i - 1].start);
    }

    function updatePlayButton() {
      if (!playButton) return;
      var label = playButton.querySelector(".label") || playButton;
      label.textContent = audio.paused ? "تشغيل" : "إيقاف مؤقت";
      playButton.setAttribute("data-state", audio.paused ? "paused" : "playing");
    }
    audio.addEventListener("play", updatePlayButton);
    audio.addEventListener("pause", updatePlayButton);
    audio.addEventListener("ended", updatePlayButton);

    /* --- following the voice --- */
    function scrollToCue(el) {
      if (!transcript || Date.now() - userScrolledAt < 4000) return;
      var target = el.offsetTop - (transcript.clientHeight - el.offsetHeight) / 2;
      if (typeof transcript.scrollTo === "function") {
        transcript.scrollTo({ top: Math.max(0, target), behavior: reduceMotion ? "auto" : "smooth" });
      } else {
        transcript.scrollTop = Math.max(0, target);
      }
    }

    /* The one sentence in the Tab order (roving tabindex). */
    function setTabStop(i) {
      cueEls.forEach(function (el, j) { el.setAttribute("tabindex", j === i ? "0" : "-1"); });
    }

    function focusInTranscript() {
      return !!transcript && transcript.contains(document.activeElement);
    }

    function markCue(i) {
      if (i === currentCue) return;
      var old = cueEls[currentCue];
      if (old) { old.classList.remove("current"); old.removeAttribute("aria-current"); }
      currentCue = i;
      var el = cueEls[i];
      if (el) {
        el.classList.add("current");
        el.setAttribute("aria-current", "true");
        if (!focusInTranscript()) setTabStop(i);  // Tab into the transcript lands on what is being read
        scrollToCue(el);
      }
    }

    function markChapter(i) {
      if (i === currentChapter) return;
      var old = chapterButtons[currentChapter];
      if (old) { old.classList.remove("current"); old.removeAttribute("aria-current"); }
      var first = currentChapter === -1;
      currentChapter = i;
      var button = chapterButtons[i];
      if (button) { button.classList.add("current"); button.setAttribute("aria-current", "true"); }
      if (now && i >= 0 && !first) now.textContent = "الفصل " + (i + 1) + ": " + chapters[i].title;
    }

    function update() {
      var t = audio.currentTime;
      markCue(indexAt(cues, t));
      markChapter(Math.max(0, indexAt(chapters, t)));
    }
    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);

    if (transcript) {
      ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (type) {
        transcript.addEventListener(type, function () { userScrolledAt = Date.now(); }, { passive: true });
      });
    }

    /* A page written before its transcript existed: fetch the .vtt (http only). */
    if (!cues.length && data.vtt && transcript && /^https?:$/.test(location.protocol) && window.fetch) {
      fetch(data.vtt).then(function (r) { return r.ok ? r.text() : ""; }).then(function (text) {
        cues = parseVtt(text || "");
        cueEls = cues.map(function (cue, i) {
          var p = document.createElement("p");
          p.className = "cue";
          p.id = "cue-" + i;
          p.setAttribute("role", "button");
          p.setAttribute("tabindex", i === 0 ? "0" : "-1");
          p.setAttribute("data-start", cue.start.toFixed(3));
          p.setAttribute("data-end", cue.end.toFixed(3));
          p.textContent = cue.text;
          transcript.appendChild(p);
          return p;
        });
        currentCue = -1;
        update();
      }).catch(function () { /* offline: no transcript */ });
    }

    /* --- the transcript: a sentence seeks to its start --- */
    function cueIndexOf(target) {
      var el = target && target.closest ? target.closest(".cue") : null;
      var i = el ? cueEls.indexOf(el) : -1;
      return i >= 0 && cues[i] ? i : -1;
    }

    function seekToCue(i) {
      setTabStop(i);
      seek(cues[i].start);
    }

    if (transcript) {
      transcript.addEventListener("click", function (e) {
        var i = cueIndexOf(e.target);
        var selection = window.getSelection && window.getSelection();
        if (i < 0 || (selection && !selection.isCollapsed)) return;  // selecting text to copy is not a seek
        seekToCue(i);
      });
      transcript.addEventListener("keydown", function (e) {
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        var i = cueIndexOf(e.target);
        if (i < 0) return;
        var to = -1;
        if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
          seekToCue(i);
        } else if (e.key === "ArrowDown") {
          to = Math.min(cueEls.length - 1, i + 1);
        } else if (e.key === "ArrowUp") {
          to = Math.max(0, i - 1);
        } else if (e.key === "Home") {
          to = 0;
        } else if (e.key === "End") {
          to = cueEls.length - 1;
        } else {
          return;
        }
        e.preventDefault();
        if (to >= 0) { setTabStop(to); cueEls[to].focus(); }
      });
    }

    /* --- buttons --- */
    chapterButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        var i = parseInt(button.getAttribute("data-index"), 10);
        if (chapters[i]) {
          seek(chapters[i].start);
          if (audio.paused) toggle();
        }
      });
    });
    var actions = {
      play: toggle,
      back: function () { seek(audio.currentTime - SKIP_S); },
      forward: function () { seek(audio.currentTime + SKIP_S); },
      prev: previousChapter,
      next: nextChapter,
      slower: function () { setRate(audio.playbackRate - RATE_STEP, true); },
      faster: function () { setRate(audio.playbackRate + RATE_STEP, true); }
    };
    Array.prototype.forEach.call(document.querySelectorAll(".player [data-action]"), function (button) {
      var action = actions[button.getAttribute("data-action")];
      if (action) button.addEventListener("click", function () { action(); });
    });

    /* --- keyboard --- */
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      var onMedia = e.target && (e.target.tagName === "AUDIO" || e.target.tagName === "VIDEO");
      var letter = letterOf(e);
      var handled = true;
      if (e.key === " " || e.key === "Spacebar" || e.code === "Space") {
        if (activatesOnSpace(e.target)) return;
        toggle();
      } else if (e.key === "ArrowRight" && !onMedia) {
        actions.forward();
      } else if (e.key === "ArrowLeft" && !onMedia) {
        actions.back();
      } else if (letter === "n") {
        nextChapter();
      } else if (letter === "p") {
        previousChapter();
      } else if (e.key === "+" || e.key === "=" || e.code === "NumpadAdd") {
        actions.faster();
      } else if (e.key === "-" || e.key === "−" || e.key === "_" || e.code === "NumpadSubtract") {
        actions.slower();
      } else {
        handled = false;
      }
      if (handled) e.preventDefault();
    });

    /* --- lock screen and headset buttons --- */
    if ("mediaSession" in navigator) {
      try {
        var artwork = data.cover ? [{ src: new URL(data.cover, location.href).href, sizes: "1400x1400", type: "image/png" }] : [];
        navigator.mediaSession.metadata = new window.MediaMetadata({ title: data.title || document.title, artist: data.podcast || "", artwork: artwork });
        var session = {
          play: function () { if (audio.paused) toggle(); },
          pause: function () { audio.pause(); },
          seekbackward: actions.back,
          seekforward: actions.forward,
          previoustrack: previousChapter,
          nexttrack: nextChapter,
          seekto: function (d) { if (d && isFinite(d.seekTime)) seek(d.seekTime); }
        };
        Object.keys(session).forEach(function (name) {
          try { navigator.mediaSession.setActionHandler(name, session[name]); } catch (e) { /* unsupported action */ }
        });
      } catch (e) { /* no media session */ }
    }

    update();
    updatePlayButton();
  }

  function setupCopy() {
    var status = document.getElementById("copy-status");
    Array.prototype.forEach.call(document.querySelectorAll('[data-action="copy"]'), function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-target"));
        if (!source) return;
        var text = source.textContent.trim();
        function say(message) { if (status) status.textContent = message; }
        function selectIt() {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          var copied = false;
          try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
          say(copied ? "نُسخ الرابط." : "حُدِّد الرابط: انسخه يدويًّا.");
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { say("نُسخ الرابط."); }, selectIt);
        } else {
          selectIt();
        }
      });
    });
  }

  function start() {
    var audio = document.getElementById("audio");
    if (audio) setupEpisode(audio);
    setupCopy();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
