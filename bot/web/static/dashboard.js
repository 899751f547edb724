/* The dashboard's charts (templates/dashboard/page.html): ECharts options built from
   the chart data the page carries as JSON (<script id="chart-data">, made by
   bot/web/dashboard.py's charts()). Every number drawn is also in the table below the
   chart; without JavaScript, or without ECharts, the page is the tables. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var GRID = "#eee", AXIS = "#666", LIMIT = "#c0392b";
  var encode = echarts.format.encodeHTML;

  function fmt(v, digits) {
    if (v === null || v === undefined) return "—";
    return Number.isInteger(v) ? String(v) : v.toFixed(digits || 1);
  }

  function niceCeil(v) {  /* a round axis end at or above v: 1, 1.2, 1.5 … 8 × 10^n */
    if (v <= 0) return 1;
    var base = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * base >= v - 1e-9) return steps[i] * base;
    return 10 * base;
  }

  function common(c) {
    return {
      animationDuration: 300,
      textStyle: {fontFamily: "-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"},
      aria: {enabled: true, label: {description: c.title + "（数值见下方表格）"}},
    };
  }

  function columns(c) {
    var o = common(c);
    o.grid = {left: 8, right: 12, top: 30, bottom: 8};
    o.tooltip = {trigger: "axis", axisPointer: {type: "shadow"},
                 valueFormatter: function (v) { return fmt(v) + c.unit; }};
    o.xAxis = {type: "category", data: c.categories, axisTick: {alignWithLabel: true},
               axisLabel: {color: AXIS, formatter: function (v, i) { return c.labels[i]; }}};
    o.yAxis = {type: "value", name: c.unit, nameTextStyle: {color: AXIS},
               axisLabel: {color: AXIS}, splitLine: {lineStyle: {color: GRID}}};
    o.series = c.series.map(function (s) {
      return {type: "bar", name: s.name, data: s.values, barMaxWidth: 24,
              itemStyle: {color: s.color}};
    });
    return o;
  }

  function limitLine(limit) {
    return {silent: true, symbol: "none", data: [{xAxis: limit.value}],
            lineStyle: {color: LIMIT, type: "dashed", width: 1.5},
            /* the category axis runs top down (inverse), so its start is the top */
            label: {formatter: limit.label, color: LIMIT, position: "start", distance: 4}};
  }

  function top(c) {  /* room above the bars: the legend, then the limit's label */
    return 8 + (c.series.length > 1 ? 26 : 0) + (c.limit ? 20 : 0);
  }

  function bars(c) {
    var o = common(c);
    var many = c.series.length > 1, overlay = many && !c.stacked;
    o.grid = {left: 8, right: 36, top: top(c), bottom: 8};
    o.legend = many ? {top: 0, left: 0, itemWidth: 12, itemHeight: 10} : {show: false};
    o.tooltip = {trigger: "axis", axisPointer: {type: "shadow"},
                 valueFormatter: function (v) { return fmt(v) + c.unit; }};
    o.yAxis = {type: "category", data: c.categories, inverse: true, axisTick: {show: false},
               axisLabel: {color: "#333", width: 96, overflow: "truncate"}};
    o.xAxis = {type: "value", axisLabel: {color: AXIS}, splitLine: {lineStyle: {color: GRID}}};
    if (c.limit) {
      o.xAxis.max = function (v) { return niceCeil(Math.max(v.max * 1.05, c.limit.value)); };
    }
    o.series = c.series.map(function (s, i) {
      var bar = {
        type: "bar", name: s.name, barMaxWidth: 18,
        data: s.colors ? s.values.map(function (v, j) {
          return {value: v, itemStyle: {color: s.colors[j]}};
        }) : s.values,
      };
      if (s.color) bar.itemStyle = {color: s.color};
      if (many && c.stacked) bar.stack = "total";
      if (overlay) bar.barGap = "-100%";  /* overlaid from zero, the widest behind */
      if (!many) {
        bar.label = {show: true, position: "right", color: "#333",
                     formatter: function (p) { return fmt(p.value); }};
      }
      if (i === 0 && c.limit) bar.markLine = limitLine(c.limit);
      return bar;
    });
    return o;
  }

  function heatmap(c) {
    var o = common(c);
    var cells = [];
    c.values.forEach(function (row, r) {
      row.forEach(function (v, h) { cells.push([h, r, v]); });
    });
    o.grid = {left: 8, right: 8, top: 8, bottom: 56};
    o.tooltip = {formatter: function (p) {
      var h = p.value[0];
      return encode(c.rows[p.value[1]] + " " + h + ":00–" + (h + 1) + ":00：" +
                    fmt(p.value[2], 2) + c.unit);
    }};
    o.xAxis = {type: "category", data: c.columns, splitArea: {show: false},
               axisLabel: {color: AXIS, interval: 2}, axisTick: {show: false}};
    o.yAxis = {type: "category", data: c.rows, inverse: true, axisTick: {show: false},
               axisLabel: {color: "#333"}};
    o.visualMap = {min: 0, max: c.peak, orient: "horizontal", left: "center", bottom: 0,
                   itemHeight: 140, itemWidth: 12, calculable: false,
                   text: [fmt(c.peak) + c.unit, "0"], textStyle: {color: AXIS},
                   inRange: {color: ["#f1f8f4", "#2e9d6a"]}};
    o.series = [{type: "heatmap", name: c.title, data: cells,
                 itemStyle: {borderColor: "#fff", borderWidth: 1}}];
    return o;
  }

  var BUILD = {columns: columns, bars: bars, heatmap: heatmap};

  function height(c) {
    if (c.kind === "columns") return 220;
    if (c.kind === "heatmap") return c.rows.length * 26 + 84;
    return top(c) + c.categories.length * 30 + 34;
  }

  var drawn = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var c = data[el.getAttribute("data-chart")];
    if (!c || !BUILD[c.kind]) return;
    el.style.height = height(c) + "px";
    var chart = echarts.init(el, null, {renderer: "svg", locale: "ZH"});
    chart.setOption(BUILD[c.kind](c));
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
