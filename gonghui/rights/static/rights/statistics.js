// Dispute statistics: bars of the disputes received, settled and failed per row of the table,
// and the success rate as a line on a second axis. rights/statistics.html renders the data as
// <script type="application/json" id="dispute-statistics-chart-json">
// ({labels, bars: [{name, values}], line: {name, values}, count_label, rate_label}) and an empty
// <div id="dispute-statistics-chart">.
(function () {
  "use strict";

  var COLOURS = ["#4a6fa5", "#2e7d32", "#c8161d", "#f0a202"];

  function draw() {
    var container = document.getElementById("dispute-statistics-chart");
    var source = document.getElementById("dispute-statistics-chart-json");
    if (!container || !source || !window.echarts) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var series = data.bars.map(function (bar) {
      return { name: bar.name, type: "bar", data: bar.values, barMaxWidth: 24 };
    });
    series.push({
      name: data.line.name,
      type: "line",
      yAxisIndex: 1,
      data: data.line.values,
      connectNulls: false,
      symbolSize: 7,
    });
    var chart = window.echarts.getInstanceByDom(container) || window.echarts.init(container);
    chart.setOption(
      {
        animation: false,
        color: COLOURS,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 48, right: 48, top: 40, bottom: 8, containLabel: true },
        xAxis: {
          type: "category",
          data: data.labels,
          axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 35 : 0, width: 120, overflow: "truncate" },
        },
        yAxis: [
          { type: "value", name: data.count_label, minInterval: 1 },
          { type: "value", name: data.rate_label, min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        ],
        series: series,
      },
      true
    );
  }

  function resize() {
    var container = document.getElementById("dispute-statistics-chart");
    var chart = container && window.echarts ? window.echarts.getInstanceByDom(container) : null;
    if (chart) {
      chart.resize();
    }
  }

  // Deferred scripts run in order while readyState is "interactive": DOMContentLoaded follows
  // them all, echarts.min.js included.
  if (document.readyState === "complete") {
    draw();
  } else {
    document.addEventListener("DOMContentLoaded", draw);
  }
  window.addEventListener("resize", resize);
})();
