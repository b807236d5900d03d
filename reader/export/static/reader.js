/* Sentence and word highlighting for the bilingual reader view.
   Streamlit has no hover events, so all interaction runs here, client-side. The script reads
   only the data-* attributes the renderer wrote (numbers), never document text. */
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

  function pin(el) {
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
    if (other) { other.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" }); }
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
    if (el) { pin(el); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (key === "j" || key === "ArrowDown") {
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
    } else if (key === "Escape" && pinned !== null) {
      mark(pinned, "pin", false);
      pinned = null;
    }
  });
})();
