// bioviz site: draw every plotly figure from the JSON saved beside it (no network, no kernel).
(function () {
  "use strict";
  function draw(div) {
    var source = div.nextElementSibling;
    var spec = JSON.parse(source.textContent);
    var config = Object.assign({responsive: false}, spec.config || {});
    return Plotly.newPlot(div, spec.data || [], spec.layout || {}, config).then(function () {
      div.setAttribute("data-rendered", "true");
    });
  }
  function drawAll() {
    var divs = document.querySelectorAll("div.bioviz-plot");
    var jobs = [];
    divs.forEach(function (div) {
      jobs.push(draw(div).catch(function (err) {
        div.setAttribute("data-rendered", "error");
        console.error("bioviz: a figure failed to draw", err);
      }));
    });
    Promise.all(jobs).then(function () { document.body.setAttribute("data-plots-done", String(divs.length)); });
  }
  if (typeof Plotly === "undefined") {
    console.error("bioviz: plotly.js did not load");
  } else {
    drawAll();
  }
})();
