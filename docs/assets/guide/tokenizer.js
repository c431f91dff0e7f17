/* The tokenizer player (Step 0.2): type a name, see its tokens. What is typed
 * is only ever set as text, never as HTML. */
(function () {
  "use strict";

  MGV.define("tokenizer", function (element, life) {
    const uchars = element.dataset.uchars.split("");
    const bos = Number(element.dataset.bos);
    const labels = uchars.concat(["BOS"]);
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");

    const label = MGV.make("label", "", "Type a name: ");
    const input = MGV.make("input");
    input.type = "text";
    input.value = "ava";
    input.maxLength = 40;
    input.autocomplete = "off";
    input.spellcheck = false;
    label.appendChild(input);
    const status = MGV.make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, element.firstChild);
    element.insertBefore(label, element.firstChild);

    function update() {
      const typed = input.value;
      const text = typed.toLowerCase();   // the names are all lower case: so is the vocabulary
      const note = text !== typed ? "Read as “" + text + "” (lower-cased). " : "";
      stage.textContent = "";
      status.classList.remove("mgv-status--bad");
      if (text === "") {
        caption.textContent = "";
        status.textContent = "Type a name to see its tokens.";
        return;
      }
      const unknown = Array.from(new Set(Array.from(text).filter(function (ch) { return uchars.indexOf(ch) < 0; })));
      if (unknown.length) {
        caption.textContent = "";
        status.classList.add("mgv-status--bad");
        status.textContent = note + "Not in the vocabulary: " + unknown.map(function (ch) { return "“" + ch + "”"; }).join(" ") +
          ". The tokenizer knows only the " + uchars.length + " characters " + uchars[0] + " to " +
          uchars[uchars.length - 1] + ", because those are all the names contain.";
        return;
      }
      const ids = [bos].concat(Array.from(text, function (ch) { return uchars.indexOf(ch); }), [bos]);
      stage.appendChild(MGV.tokenRow(labels, ids));
      caption.textContent = "The tokens of “" + text + "”";
      status.textContent = note + ids.length + " tokens: " + ids.join(" ") + " (" + (ids.length - 1) + " pairs of neighbours)";
    }

    life.listen(input, "input", update);
    update();
  });
})();
