/* Sentence and word highlighting for the bilingual reader view, and the word-lookup popover.
   Streamlit has no hover events, so all interaction runs here, client-side. The script reads
   the data-* attributes the renderer wrote (numbers) and, for lookups, the JSON data block
   #reader-lookups; document text only ever reaches the page through textContent.
   In the app the page sits in a sandboxed frame: it tells the app (window.parent) only numbers,
   the sentence at the top of the view, the one picked and the one to edit, and takes from it
   only the sentence to open at (reader/app/static/reading_view.js is the other side). */
(function () {
  "use strict";
  var root = document.querySelector(".reader");
  if (!root) { return; }
  var pinned = null;

  function sentenceOf(node) {
    return node && node.closest ? node.closest(".s[data-s]") : null;
  }
  function sideOf(node) {
    var cell = node.closest(".cell");
    return cell && cell.classList.contains("ar") ? "ar" : "en";
  }
  function pair(index) {
    return root.querySelectorAll('.s[data-s="' + index + '"]');
  }
  function counterpart(el) {
    var other = sideOf(el) === "ar" ? "en" : "ar";
    return root.querySelector(".cell." + other + ' .s[data-s="' + el.getAttribute("data-s") + '"]');
  }
  function mark(index, cls, on) {
    pair(index).forEach(function (el) { el.classList.toggle(cls, on); });
  }
  function clearClass(cls) {
    root.querySelectorAll("." + cls).forEach(function (el) { el.classList.remove(cls); });
  }

  function highlightSentence(el) {
    clearClass("hl");
    if (el) { mark(el.getAttribute("data-s"), "hl", true); }
  }

  function wordTargets(word) {
    var ids = (word.getAttribute("data-w") || "").split(":");
    var targets = (word.getAttribute("data-a") || "").split(" ").filter(Boolean);
    var other = sideOf(word) === "ar" ? "en" : "ar";
    return targets.map(function (t) {
      return root.querySelector(".cell." + other + ' .w[data-w="' + ids[0] + ":" + t + '"]');
    }).filter(Boolean);
  }
  function highlightWord(word) {
    clearClass("whl");
    if (!word) { return; }
    word.classList.add("whl");
    wordTargets(word).forEach(function (el) { el.classList.add("whl"); });
  }

  /* ---- in the app: numbers to and from the page around the frame ---- */
  var embedded = window.parent !== window;
  var lastPosition = null;
  var opened = null;  /* the sentence openAt placed, until the reader scrolls or acts */
  function tell(type, index) {
    if (embedded && index !== null) {
      window.parent.postMessage({ reader: 1, type: type, sentence: parseInt(index, 10) }, "*");
    }
  }
  /* The first Arabic sentence starting below the sticky column heads (else the one the view is inside). */
  function topSentence() {
    var heads = root.querySelector(".row.heads");
    var line = heads ? heads.getBoundingClientRect().bottom : 0;
    var all = root.querySelectorAll(".cell.ar .s[data-s]");
    var above = null;
    for (var i = 0; i < all.length; i++) {
      var top = all[i].getBoundingClientRect().top;
      if (top >= line - 2) { return top < window.innerHeight || !above ? all[i] : above; }
      above = all[i];
    }
    return above;
  }
  /* Scroll this frame only (scrollIntoView would scroll the app's page around it too). */
  function openAt(index, pinIt) {
    var el = root.querySelector('.cell.ar .s[data-s="' + index + '"]');
    if (!el) { return; }
    var heads = root.querySelector(".row.heads");
    var cover = heads ? heads.getBoundingClientRect().height : 0;
    var top = index === 0 ? 0 : el.getBoundingClientRect().top + window.scrollY - cover - 4;
    window.scrollTo(0, Math.max(0, top));  /* the first sentence: the top of the page, with its header */
    lastPosition = String(index);
    opened = index;
    /* The view is placed already: no second scroll; and a search hit opened is not a click, so no side panel. */
    if (pinIt && pinned !== String(index)) { pin(el, false, true); }
  }
  /* Text that reflows after the view was placed (the Arabic web font arrives late on a busy machine) moves
     the opened sentence away from the heads: place it again, until the reader scrolls or acts. */
  if (window.ResizeObserver) {
    new ResizeObserver(function () { if (opened !== null) { openAt(opened, false); } }).observe(root);
  }
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
    window.addEventListener(type, function () { opened = null; }, { capture: true, passive: true });
  });
  function tellHeight() {
    if (embedded) {
      window.parent.postMessage({ reader: 1, type: "height", value: Math.ceil(document.documentElement.scrollHeight) }, "*");
    }
  }
  if (embedded) {
    tellHeight();
    window.addEventListener("resize", tellHeight);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(tellHeight); }
    var scrolling = null;
    window.addEventListener("scroll", function () {
      clearTimeout(scrolling);
      scrolling = setTimeout(function () {
        var el = topSentence();
        var index = el ? el.getAttribute("data-s") : null;
        if (index !== null && index !== lastPosition) {
          lastPosition = index;
          tell("position", index);
        }
      }, 400);
    }, { passive: true });
    window.addEventListener("message", function (event) {
      var m = event.data;
      if (event.source !== window.parent || !m || m.reader !== 1 || m.type !== "scroll") { return; }
      if (typeof m.sentence === "number" && Math.floor(m.sentence) === m.sentence && m.sentence >= 0) {
        openAt(m.sentence, m.pin === true);
      }
    });
  }

  function pin(el, bringCounterpart, quietly) {
    var index = el.getAttribute("data-s");
    if (pinned === index) {
      mark(index, "pin", false);
      pinned = null;
      return;
    }
    if (pinned !== null) { mark(pinned, "pin", false); }
    pinned = index;
    mark(index, "pin", true);
    var other = counterpart(el);
    if (other && bringCounterpart !== false) { other.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" }); }
    if (!quietly) { tell("select", index); }
  }

  function move(step) {
    var current = sentenceOf(document.activeElement);
    var side = current ? sideOf(current) : "ar";
    var all = Array.prototype.slice.call(root.querySelectorAll(".cell." + side + " .s[data-s]"));
    if (!all.length) { return; }
    var at = current ? all.indexOf(current) : -1;
    var next = all[Math.min(all.length - 1, Math.max(0, at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /* ---- word lookup: a popover for an Arabic word, from the embedded data ---- */

  var lookups = readLookups();
  var popover = { el: null, shownFor: null };

  function readLookups() {
    var block = document.getElementById("reader-lookups");
    if (!block) { return null; }
    try {
      var data = JSON.parse(block.textContent);
      return data && data.v === 1 ? data : null;
    } catch (error) {
      return null;
    }
  }
  function lookupWord(node) {
    var word = lookups && node && node.closest ? node.closest(".cell.ar .w[data-w]") : null;
    return word && lookups.at[word.getAttribute("data-w")] ? word : null;
  }
  function lookupWords() {
    return Array.prototype.slice.call(root.querySelectorAll(".cell.ar .w[data-w]")).filter(lookupWord);
  }
  function node(tag, cls, text, lang) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text) { el.textContent = text; }
    if (lang) {
      el.lang = lang;
      el.dir = lang === "ar" ? "rtl" : "ltr";
    }
    return el;
  }
  function segmentsNode(segments) {
    var row = node("div", "lk-segs", "", "ar");
    segments.forEach(function (segment, i) {
      if (i) { row.appendChild(node("span", "lk-plus", "+")); }
      var part = node("span", "lk-seg lk-" + segment[2]);
      part.appendChild(node("span", "lk-ar", segment[0], "ar"));
      part.appendChild(node("span", "lk-gl", segment[1] || "\u00a0", "en"));
      row.appendChild(part);
    });
    return row;
  }
  function analysisNode(analysis, wordTransliteration) {
    var box = node("div", "lk-an");
    box.appendChild(segmentsNode(analysis.segments));
    var entry = node("div", "lk-entry");
    entry.appendChild(node("span", "lk-lemma", analysis.lemma, "ar"));
    entry.appendChild(node("span", "lk-pos", analysis.pos));
    if (analysis.transliteration !== wordTransliteration) {
      entry.appendChild(node("span", "lk-tr", analysis.transliteration));
    }
    box.appendChild(entry);
    box.appendChild(node("div", "lk-gloss", analysis.gloss, "en"));
    return box;
  }
  function lookupContent(word) {
    var at = lookups.at[word.getAttribute("data-w")];
    var box = node("div", "lk-body");
    var entry = lookups.entries[at[0]];
    var head = node("div", "lk-head");
    head.appendChild(node("span", "lk-word", entry.word, "ar"));
    head.appendChild(node("span", "lk-tr", entry.transliteration));
    box.appendChild(head);
    if (at[1]) {
      var here = node("p", "lk-here", "", "en");
      here.appendChild(node("span", "lk-label", "here: "));
      here.appendChild(node("span", "lk-here-text", at[1]));
      box.appendChild(here);
    }
    var order = at[2] || entry.analyses.slice(0, lookups.max).map(function (_, i) { return i; });
    order.forEach(function (i) { box.appendChild(analysisNode(entry.analyses[i], entry.transliteration)); });
    if (!order.length) {
      box.appendChild(segmentsNode(entry.segments || []));
      box.appendChild(node("p", "lk-note", entry.note));
    }
    return box;
  }
  /* Below the word, else above it; where neither fits (a short app frame), on the roomier side,
     scrolling inside. Its right edge is the word's, as Arabic reads from the right. */
  function place(el, word) {
    var rect = word.getBoundingClientRect();
    var below = window.innerHeight - rect.bottom - 12;
    var above = rect.top - 12;
    el.style.maxHeight = "";
    var height = el.offsetHeight;
    var onTop = height > below && (height <= above || above > below);
    if (height > Math.max(below, above)) {
      height = Math.max(below, above);
      el.style.maxHeight = height + "px";
    }
    var width = el.offsetWidth;
    var left = Math.min(Math.max(8, rect.right - width), Math.max(8, window.innerWidth - width - 8));
    var top = onTop ? rect.top - height - 6 : rect.bottom + 6;
    el.style.left = left + window.scrollX + "px";
    el.style.top = top + window.scrollY + "px";
  }
  function openLookup(word) {
    closeLookup();
    var el = node("div", "lookup");
    el.setAttribute("role", "dialog");
    el.setAttribute("aria-label", "Word lookup");
    var close = node("button", "lk-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { closeLookup(word); });
    el.appendChild(close);
    el.appendChild(lookupContent(word));
    document.body.appendChild(el);
    place(el, word);
    popover.el = el;
    popover.shownFor = word;
    word.classList.add("lk-open");
    if (document.activeElement !== word) { word.focus({ preventScroll: true }); }
  }
  function closeLookup(refocus) {
    if (!popover.el) { return; }
    popover.el.remove();
    popover.shownFor.classList.remove("lk-open");
    popover.el = null;
    popover.shownFor = null;
    if (refocus) { refocus.focus({ preventScroll: true }); }
  }
  function stepLookup(word, step) {
    var all = lookupWords();
    var next = all[all.indexOf(word) + step];
    if (next) {
      openLookup(next);
      next.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
  /* g opens the focused word's lookup (or the first word's, on a focused Arabic sentence); while it
     is open, the arrows walk word by word (left is the next word in Arabic) and Esc closes it. */
  function lookupKey(event) {
    if (!lookups) { return false; }
    var key = event.key;
    var focused = document.activeElement;
    if (key === "g") {
      var word = lookupWord(focused);
      if (!word && sentenceOf(focused) && sideOf(focused) === "ar") {
        word = lookupWords().filter(function (w) { return sentenceOf(w) === sentenceOf(focused); })[0];
      }
      if (!word) { return false; }
      if (popover.shownFor === word) { closeLookup(); } else { openLookup(word); }
      return true;
    }
    if (!popover.el) { return false; }
    if (key === "Escape") {
      closeLookup(popover.shownFor);
      return true;
    }
    if (key === "ArrowLeft" || key === "ArrowRight") {
      stepLookup(popover.shownFor, key === "ArrowLeft" ? 1 : -1);
      return true;
    }
    return false;
  }
  if (lookups) {
    lookupWords().forEach(function (word) {
      word.tabIndex = -1;
      word.classList.add("lk");
    });
    document.addEventListener("mousedown", function (event) {
      if (popover.el && !popover.el.contains(event.target) && !lookupWord(event.target)) { closeLookup(); }
    });
    document.addEventListener("focusin", function (event) {
      var target = event.target;
      if (popover.el && target !== popover.shownFor && !popover.el.contains(target)) { closeLookup(); }
    });
    window.addEventListener("resize", function () {
      if (popover.el) { place(popover.el, popover.shownFor); }
    });
  }

  root.addEventListener("mouseover", function (event) {
    var el = sentenceOf(event.target);
    if (el) { highlightSentence(el); }
    var word = event.target.closest ? event.target.closest(".w[data-w]") : null;
    highlightWord(word);
  });
  root.addEventListener("mouseleave", function () {
    highlightSentence(sentenceOf(document.activeElement));
    highlightWord(null);
  });
  root.addEventListener("focusin", function (event) {
    highlightSentence(sentenceOf(event.target));
  });
  root.addEventListener("click", function (event) {
    var el = sentenceOf(event.target);
    var word = lookupWord(event.target);
    if (word) {
      if (pinned !== el.getAttribute("data-s")) { pin(el); }
      if (popover.shownFor === word) { closeLookup(); } else { openLookup(word); }
    } else if (el) {
      pin(el);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (lookupKey(event)) {
      event.preventDefault();
    } else if (key === "j" || key === "ArrowDown") {
      move(1);
      event.preventDefault();
    } else if (key === "k" || key === "ArrowUp") {
      move(-1);
      event.preventDefault();
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && sentenceOf(document.activeElement)) {
      var across = counterpart(sentenceOf(document.activeElement));
      if (across) { across.focus(); across.scrollIntoView({ block: "nearest", inline: "nearest" }); }
      event.preventDefault();
    } else if ((key === "Enter" || key === " ") && sentenceOf(document.activeElement)) {
      pin(sentenceOf(document.activeElement));
      event.preventDefault();
    } else if (key === "e" && embedded && sentenceOf(document.activeElement)) {
      tell("edit", sentenceOf(document.activeElement).getAttribute("data-s"));
      event.preventDefault();
    } else if (key === "Escape") {
      if (pinned !== null) {
        mark(pinned, "pin", false);
        pinned = null;
      }
      if (embedded) { window.parent.postMessage({ reader: 1, type: "cancel" }, "*"); }
    }
  });
})();
