// 参保缴费进度 charts, drawn from the same numbers as the tables beside them (the page's
// "chart-data" JSON). Without JavaScript, or without Chart.js, the tables are the page.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var font = { family: "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif" };
  Chart.defaults.font = Object.assign({}, Chart.defaults.font, font);
  Chart.defaults.color = "#212529";

  function show(canvas) {
    canvas.parentElement.hidden = false;
    return canvas;
  }

  var regionsCanvas = document.getElementById("regions-chart");
  if (regionsCanvas && data.regions.labels.length) {
    new Chart(show(regionsCanvas), {
      type: "bar",
      data: {
        labels: data.regions.labels,
        datasets: [
          { label: "参保率（%）", data: data.regions.rates, backgroundColor: "#0b4f8a" },
          { label: "缴费率（%）", data: data.regions.paidRates, backgroundColor: "#5b9bd5" },
          { label: "目标参保率（%）", data: data.regions.targets, type: "line", borderColor: "#b7791f",
            backgroundColor: "#b7791f", borderDash: [6, 4], pointRadius: 0, fill: false }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: data.regions.levelLabel } },
          y: { min: 0, max: 100, title: { display: true, text: "占应参保人数的百分比（%）" } }
        }
      }
    });
  }

  var curveCanvas = document.getElementById("curve-chart");
  if (curveCanvas && data.curve.labels.length) {
    new Chart(show(curveCanvas), {
      type: "line",
      data: {
        labels: data.curve.labels,
        datasets: [
          { label: "本年度累计缴费人数", data: data.curve.thisYear, borderColor: "#0b4f8a", backgroundColor: "#0b4f8a",
            pointRadius: 0, tension: 0.1 },
          { label: "上年度同期累计", data: data.curve.lastYear, borderColor: "#6c757d", backgroundColor: "#6c757d",
            borderDash: [6, 4], pointRadius: 0, tension: 0.1 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: "集中缴费期第几天（日期）" }, ticks: { maxTicksLimit: 12 } },
          y: { beginAtZero: true, title: { display: true, text: "累计缴费人数（人）" } }
        }
      }
    });
  }
}());
