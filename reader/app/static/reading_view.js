/* The Read page's view: a Streamlit custom component (v2) that shows the bilingual page rendered by
   reader/export/html.py in a sandboxed frame, and relays the few numbers that page may send back.

   This script is trusted code that runs in the app's page; it holds no document data. The page
   arrives as component data and only ever becomes the frame's srcdoc: the frame is sandboxed with
   "allow-scripts" and no "allow-same-origin", so the article runs in an opaque origin under its
   own strict Content-Security-Policy and cannot reach the app, its cookies or its DOM.

   From the frame, only {reader: 1, type, sentence} messages from that frame's own window are
   accepted, with type "position" (the sentence at the top of the view: a state value), "select"
   or "edit" (a sentence clicked, or "e" pressed on it: trigger values), and sentence an integer
   index into the document; and {reader: 1, type: "height", value}, the page's height in pixels,
   which sizes the frame (up to the window's height: a long article scrolls inside it). To the
   frame goes {reader: 1, type: "scroll", sentence, pin}: the sentence to open at (a reading
   position restored, a search hit) from data.start. */

const RELAYED = { position: "state", select: "trigger", edit: "trigger" };
const MIN_HEIGHT = 260;
const CHROME = 224; /* px of the app's page above and below the frame */

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  const host = parentElement.querySelector(".reading-view") || parentElement;
  let frame = host.querySelector("iframe");
  if (!frame || frame.dataset.digest !== data.digest) {
    if (frame) { frame.remove(); }
    frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts allow-popups allow-popups-to-escape-sandbox");
    frame.setAttribute("title", "The article, side by side");
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.dataset.digest = data.digest;
    frame.addEventListener("load", function () { frame.dataset.loaded = "1"; }, { once: true });
    frame.srcdoc = data.html;
    host.appendChild(frame);
  }
  const target = frame;

  function openAt() {
    if (Number.isInteger(data.start) && target.contentWindow) {
      target.contentWindow.postMessage({ reader: 1, type: "scroll", sentence: data.start, pin: data.pin === true }, "*");
    }
  }
  if (target.dataset.loaded === "1") { openAt(); } else { target.addEventListener("load", openAt, { once: true }); }

  function onMessage(event) {
    if (event.source !== target.contentWindow) { return; }
    const message = event.data;
    if (!message || typeof message !== "object" || message.reader !== 1) { return; }
    if (message.type === "height") {
      const height = message.value;
      if (Number.isInteger(height) && height > 0 && height < 10000000) {
        const limit = Math.max(420, window.innerHeight - CHROME);
        target.style.height = Math.max(MIN_HEIGHT, Math.min(limit, height + 2)) + "px";
      }
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(RELAYED, message.type)) { return; }
    const sentence = message.sentence;
    if (!Number.isInteger(sentence) || sentence < 0 || sentence >= data.sentences) { return; }
    if (RELAYED[message.type] === "state") {
      setStateValue(message.type, sentence);
    } else {
      setTriggerValue(message.type, sentence);
    }
  }
  window.addEventListener("message", onMessage);
  return function () {
    window.removeEventListener("message", onMessage);
    target.removeEventListener("load", openAt);
  };
}
