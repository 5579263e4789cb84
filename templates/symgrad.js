/* symgrad: step through a worked solution (forward node by node, backward edge by edge),
   inspect a node by clicking it, show or hide the numbers on the wires. No network, no eval:
   the steps are JSON in the page, their formulas MathML made by symgrad. */
(function () {
  "use strict";
  function setup(root) {
    if (root.getAttribute("data-ready")) { return; }
    root.setAttribute("data-ready", "1");
    root.classList.add("sg-js");
    var dataNode = root.querySelector("script.sg-data");
    var data = dataNode ? JSON.parse(dataNode.textContent) : null;
    if (!data || !root.querySelector(".sg-panel")) { return; }
    var steps = data.steps, inspect = data.inspect || {};
    var ui = JSON.parse(root.querySelector("script.sg-ui").textContent);
    var panel = root.querySelector(".sg-formula");
    var sumLine = root.querySelector(".sg-sum");
    var counter = root.querySelector(".sg-counter");
    var info = root.querySelector(".sg-info");
    var current = -1;  // -1: the whole solution at once
    function all(selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
    function mark(selector, cls, on) { all(selector).forEach(function (e) { e.classList.toggle(cls, on); }); }
    function show(index) {
      current = Math.max(-1, Math.min(steps.length - 1, index));
      mark(".sg-active", "sg-active", false);
      var known = {}, graded = {}, lastBackward = {};
      steps.forEach(function (s, k) { if (s.kind === "backward") { lastBackward[s.node] = k; } });
      var stepping = current >= 0;
      root.classList.toggle("sg-stepping", stepping);
      if (stepping) {
        for (var k = 0; k <= current; k++) {
          var s = steps[k];
          if (s.kind === "forward") { known[s.node] = true; }
          else { graded[s.parent] = true; if (lastBackward[s.node] === k || s.done) { graded[s.node] = true; } }
        }
        var backward = steps[current].kind === "backward";
        all("[data-reveal]").forEach(function (e) {
          var node = e.getAttribute("data-node"), what = e.getAttribute("data-reveal");
          var on = what === "value" ? (known[node] || e.hasAttribute("data-given")) :
            (graded[node] || (backward && e.hasAttribute("data-seed")));
          e.classList.toggle("sg-hidden", !on);
        });
        var step = steps[current];
        mark('[data-node="' + step.node + '"].sg-node', "sg-active", true);
        if (step.wire) {
          mark('[data-wire="' + step.wire + '"]', "sg-active", true);
          mark('[data-stub="' + step.node + '"]', "sg-active", true);
        }
        if (step.layer !== undefined) {
          mark('.sg-node[data-layer="' + step.units + '"]', "sg-active", true);
          if (step.edges) { mark('.sg-wire[data-layer="' + step.layer + '"]', "sg-active", true); }
        }
        var lit = root.querySelector(".sg-node.sg-active");
        var figure = root.querySelector(".sg-figure");
        if (lit && figure && figure.scrollWidth > figure.clientWidth) {  // keep it in view
          var box = lit.getBoundingClientRect(), frame = figure.getBoundingClientRect();
          if (box.left < frame.left || box.right > frame.right) {
            figure.scrollLeft += box.left - frame.left - frame.width / 2;
          }
        }
        panel.innerHTML = step.html;
        sumLine.innerHTML = step.sum_html ? (step.done ? ui.total : ui.running) + " " + step.sum_html : "";
        var phase = step.kind === "forward" ? ui.forward : ui.backward;
        counter.textContent = phase + " \u00b7 " + (current + 1) + " / " + steps.length;
      } else {
        all("[data-reveal]").forEach(function (e) { e.classList.remove("sg-hidden"); });
        panel.textContent = ui.start; sumLine.innerHTML = "";
        counter.textContent = "";
      }
      root.setAttribute("data-step", String(current));
    }
    function button(name, fn) {
      var b = root.querySelector('[data-action="' + name + '"]');
      if (b) { b.addEventListener("click", fn); }
    }
    button("next", function () { show(current + 1); });
    button("prev", function () { show(current - 1); });
    button("first", function () { show(0); });
    button("reset", function () { show(-1); });
    var toggle = root.querySelector(".sg-toggle");
    if (toggle) {
      toggle.addEventListener("change", function () { root.classList.toggle("sg-no-labels", !toggle.checked); });
    }
    function key(event) {
      if (event.target && /INPUT|TEXTAREA|SELECT/.test(event.target.tagName)) { return; }
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    }
    (root.hasAttribute("data-standalone") ? document : root).addEventListener("keydown", key);
    all(".sg-node").forEach(function (g) {
      g.addEventListener("click", function () {
        var entry = inspect[g.getAttribute("data-node")];
        if (!entry) { return; }
        mark(".sg-picked", "sg-picked", false);
        g.classList.add("sg-picked");
        info.innerHTML = "";
        var head = document.createElement("strong");
        head.textContent = entry.title;
        info.appendChild(head);
        entry.html.forEach(function (line) {
          var div = document.createElement("div");
          div.innerHTML = line;
          info.appendChild(div);
        });
      });
    });
    show(-1);
  }
  Array.prototype.slice.call(document.querySelectorAll(".symgrad:not([data-ready])")).forEach(setup);
})();
