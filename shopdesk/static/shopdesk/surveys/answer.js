// Shows and hides conditional questions as answers change and keeps the progress bar
// current. The server applies the same conditions (is_shown): this only spares the scroll.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  var OPS = {
    "<=": function (a, b) { return a <= b; },
    ">=": function (a, b) { return a >= b; },
    "<": function (a, b) { return a < b; },
    ">": function (a, b) { return a > b; },
    "==": function (a, b) { return a === b; },
    "!=": function (a, b) { return a !== b; }
  };
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));

  function answerOf(fieldset) {
    var checked = fieldset.querySelectorAll("input:checked");
    if (checked.length) return Array.prototype.map.call(checked, function (i) { return i.value; });
    var text = fieldset.querySelector("textarea, input[type=text]");
    return text && text.value.trim() ? [text.value.trim()] : [];
  }

  function update() {
    var answers = {};
    var shown = 0;
    var done = 0;
    questions.forEach(function (fieldset) {
      var rule = fieldset.dataset.showIf ? JSON.parse(fieldset.dataset.showIf) : null;
      var visible = true;
      if (rule) {
        var given = answers[rule.question];
        var op = OPS[rule.op];
        visible = !!(op && given && given.length === 1 && given[0] !== "" &&
          !isNaN(Number(given[0])) && op(Number(given[0]), Number(rule.value)));
      }
      fieldset.hidden = !visible;
      if (!visible) return;
      var answer = answerOf(fieldset);
      answers[fieldset.dataset.code] = answer;
      shown += 1;
      if (answer.length) done += 1;
    });
    var bar = document.getElementById("survey-progress");
    var text = document.getElementById("survey-progress-text");
    if (bar) { bar.max = shown; bar.value = done; }
    if (text && text.dataset.template) {
      text.textContent = text.dataset.template.replace("{done}", done).replace("{total}", shown);
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
