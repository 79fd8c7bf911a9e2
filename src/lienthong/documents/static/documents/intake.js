/* The intake page (issue #7 scope 2): send each scan by itself with a progress bar.
   On submit the batch is opened first (unit + optional register spreadsheet), then the
   files go one by one, at most two at a time, each with its own XMLHttpRequest and
   <progress> of the bytes sent; the answer says whether the file waits to be read or
   was refused, and why. Files can also be dropped on the page.
   Without this script the form is an ordinary multipart POST and works the same.
   Plain ES5 (old computers, old browsers); no inline script or style (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = document.getElementById("intake-files");
  var zone = document.getElementById("intake-drop");
  var chosen = document.getElementById("intake-chosen");
  var results = document.getElementById("intake-results");
  var sent = document.getElementById("intake-sent");
  var errorBox = document.getElementById("intake-error");
  var finished = document.getElementById("intake-finished");
  var submit = document.getElementById("intake-submit");
  var PARALLEL = 2;
  var picked = [];

  function text(name) { return form.getAttribute("data-text-" + name) || ""; }

  function field(name) {
    var element = form.elements[name];
    return element ? element.value : "";
  }

  function csrfToken() {
    var token = field("csrfmiddlewaretoken");
    if (token) { return token; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function toArray(list) {
    var out = [];
    for (var i = 0; list && i < list.length; i += 1) { out.push(list[i]); }
    return out;
  }

  function clear(element) {
    while (element.firstChild) { element.removeChild(element.firstChild); }
  }

  function showChosen() {
    clear(chosen);
    for (var i = 0; i < picked.length; i += 1) {
      var item = document.createElement("li");
      item.textContent = picked[i].name;
      chosen.appendChild(item);
    }
    chosen.hidden = picked.length === 0;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    results.hidden = false;
  }

  function answer(xhr) {
    try { return JSON.parse(xhr.responseText); } catch (ignore) { return null; }
  }

  function post(url, data, onDone, onProgress) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url, true);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (onProgress && xhr.upload) { xhr.upload.onprogress = onProgress; }
    xhr.onload = function () { onDone(xhr.status, answer(xhr)); };
    xhr.onerror = function () { onDone(0, null); };
    xhr.send(data);
  }

  input.addEventListener("change", function () {
    picked = toArray(input.files);
    showChosen();
  });

  function stop(event) { event.preventDefault(); event.stopPropagation(); }
  zone.addEventListener("dragover", function (event) { stop(event); zone.className = "intake-drop dragging"; });
  zone.addEventListener("dragenter", function (event) { stop(event); zone.className = "intake-drop dragging"; });
  zone.addEventListener("dragleave", function () { zone.className = "intake-drop"; });
  zone.addEventListener("drop", function (event) {
    stop(event);
    zone.className = "intake-drop";
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) { return; }
    picked = toArray(files);
    try { input.files = files; } catch (ignore) { /* old browsers: the list is kept here */ }
    showChosen();
  });

  function row(file) {
    var item = document.createElement("li");
    item.setAttribute("data-state", "waiting");
    var name = document.createElement("span");
    name.className = "intake-file-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var state = document.createElement("span");
    state.className = "intake-file-state";
    state.textContent = text("waiting");
    var reason = document.createElement("span");
    reason.className = "intake-file-reason";
    item.appendChild(name);
    item.appendChild(bar);
    item.appendChild(state);
    item.appendChild(reason);
    sent.appendChild(item);
    return { item: item, bar: bar, state: state, reason: reason };
  }

  function run(batch, files) {
    var rows = [];
    var next = 0;
    var active = 0;
    var refused = 0;
    var received = 0;
    for (var i = 0; i < files.length; i += 1) { rows.push(row(files[i])); }

    function end() {
      var link = document.createElement("a");
      link.id = "intake-queue-link";
      link.href = form.getAttribute("data-queue-url") + "?lo=" + encodeURIComponent(batch);
      link.textContent = text("queue");
      clear(finished);
      finished.appendChild(document.createTextNode(
        text("summary").replace("{received}", received).replace("{refused}", refused) + " "
      ));
      finished.appendChild(link);
      finished.hidden = false;
      submit.disabled = false;
      picked = [];
      input.value = "";
      showChosen();
    }

    function send(index) {
      var file = files[index];
      var view = rows[index];
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken());
      data.append("batch", batch);
      if (field("document")) { data.append("document", field("document")); }
      data.append("file", file, file.name);
      view.item.setAttribute("data-state", "sending");
      view.state.textContent = text("sending");
      active += 1;
      post(form.getAttribute("data-upload-url"), data, function (status, body) {
        active -= 1;
        if (status === 200 && body && body.state) {
          received += 1;
          if (body.state === "refused") { refused += 1; }
          view.bar.value = 100;
          view.item.setAttribute("data-state", body.state);
          view.item.setAttribute("data-id", body.id);
          view.state.textContent = body.state_label;
          view.reason.textContent = body.reason || "";
        } else {
          view.item.setAttribute("data-state", "error");
          view.state.textContent = text("failed");
          view.reason.textContent = (body && body.error) || text("session");
        }
        pump();
      }, function (event) {
        if (event.lengthComputable && event.total) {
          view.bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
    }

    function pump() {
      while (active < PARALLEL && next < files.length) {
        send(next);
        next += 1;
      }
      if (active === 0 && next >= files.length) { end(); }
    }

    pump();
  }

  form.addEventListener("submit", function (event) {
    if (!picked.length) { picked = toArray(input.files); }
    event.preventDefault();
    if (!picked.length) { showError(text("none")); return; }
    var files = picked.slice(0);
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    data.append("unit", field("unit"));
    if (field("document")) { data.append("document", field("document")); }
    var seal = form.elements.seal;
    if (seal && seal.checked) { data.append("seal", "on"); }
    var register = form.elements.register;
    if (register && register.files && register.files.length) {
      data.append("register", register.files[0], register.files[0].name);
    }
    submit.disabled = true;
    showError("");
    clear(sent);
    finished.hidden = true;
    results.hidden = false;
    post(form.getAttribute("data-batch-url"), data, function (status, body) {
      if (status === 200 && body && body.batch) {
        run(String(body.batch), files);
      } else {
        submit.disabled = false;
        showError((body && body.error) || text("session"));
      }
    });
  });
})();
