/* Keyboard-fast ballot entry (issue #6 scope 3): one ballot per screen.
   Digits type a name's number (two digits when the list is longer than 9: the number
   is taken as soon as no longer number can start with it, or after a short pause);
   it strikes the name out or back in, or turns its box none -> agree -> disagree ->
   both. Enter saves the ballot and opens the next one. K, S, X, D toggle the flags.
   Without this script the page works with the mouse. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }
  var count = parseInt(form.dataset.count, 10) || 0;
  var boxes = form.dataset.boxes === "1";
  var typed = document.getElementById("typed");
  var cycle = ["none", "agree", "disagree", "both"];
  var buffer = "";
  var timer = null;

  function show() { typed.textContent = buffer ? "\u2192 " + buffer : ""; }

  function mark(row) {
    if (boxes) {
      var checked = row.querySelector("input[type=radio]:checked");
      row.dataset.box = checked ? checked.value : "none";
    } else {
      var box = row.querySelector("input[type=checkbox]");
      row.classList.toggle("struck", box.checked);
    }
  }

  function toggle(index) {
    var row = document.getElementById("row-" + index);
    if (!row) { return; }
    if (boxes) {
      var current = row.querySelector("input[type=radio]:checked");
      var at = current ? cycle.indexOf(current.value) : 0;
      var next = cycle[(at + 1) % cycle.length];
      var radio = row.querySelector("input[type=radio][value=" + next + "]");
      if (radio) { radio.checked = true; }
    } else {
      var box = row.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
    }
    mark(row);
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (buffer) {
      var index = parseInt(buffer, 10);
      if (index >= 1 && index <= count) { toggle(index); }
      buffer = "";
    }
    show();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[type=text], input[type=number], textarea")) {
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var key = event.key;
    if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      buffer += key;
      if (parseInt(buffer, 10) * 10 > count) {
        flush();
      } else {
        show();
        if (timer) { clearTimeout(timer); }
        timer = setTimeout(flush, 900);
      }
      return;
    }
    if (key === "Enter") {
      event.preventDefault();
      if (buffer) { flush(); } else { form.requestSubmit(); }
      return;
    }
    if (key === "Escape" || key === "Backspace") { buffer = ""; show(); return; }
    var flag = form.querySelector("input[data-key='" + key.toLowerCase() + "']");
    if (flag) { event.preventDefault(); flag.checked = !flag.checked; }
  });

  form.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest("li[id^=row-]");
    if (row) { mark(row); }
  });
})();
