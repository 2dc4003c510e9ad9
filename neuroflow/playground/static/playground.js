// The neuroflow playground page: draws what the server's training session streams, sends what the user changes.
// Plain JavaScript and canvas; every message is JSON over one WebSocket (see neuroflow/playground/server.py).
"use strict";

const NEGATIVE = [245, 147, 34];
const NEUTRAL = [232, 234, 235];
const POSITIVE = [8, 119, 189];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5];
const LABELS = {relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear", none: "None", l1: "L1", l2: "L2",
  sgd: "SGD", momentum: "Momentum", rmsprop: "RMSprop", adam: "Adam", classification: "Classification",
  regression: "Regression"};
const NODE = 38, NODE_STEP = 46, NODE_TOP = 64, FEATURE_X = 92;

const stats = {framesReceived: 0, framesDrawn: 0, errors: [], framesPerSecond: 0, stepsPerSecond: 0};
window.playgroundStats = stats;

let socket = null;
let options = null;
let config = null;
let ui = {show_test: false, discretize: false};
let data = null;
let network = null;
let pendingFrame = null;
let lastFrame = null;
let lossHistory = [];
let playing = false;
let hashApplied = false;
let hoveredNeuron = null;  // [layer, unit] whose heatmap the big plot shows while the mouse is on it

const $ = (id) => document.getElementById(id);

// --- colours and heatmaps -------------------------------------------------------------------------------

function colour(value) {
  // -1 orange, 0 grey-white, +1 blue, as in TensorFlow Playground.
  const t = Math.max(-1, Math.min(1, value));
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return NEUTRAL.map((c, i) => Math.round(c + (end[i] - c) * a));
}

function cssColour(value) {
  const [r, g, b] = colour(value);
  return `rgb(${r},${g},${b})`;
}

function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function drawHeatmap(canvas, base64, discretize) {
  const bytes = decode(base64);
  const side = Math.round(Math.sqrt(bytes.length));
  if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side);
  for (let i = 0; i < bytes.length; i++) {
    let value = bytes[i] / 127.5 - 1;
    if (discretize) value = value >= 0 ? 1 : -1;
    const [r, g, b] = colour(value);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

// --- the connection -------------------------------------------------------------------------------------

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function change(changes) {
  // Applied here at once, so quick clicks build on each other; the server's config reply is the one in force.
  config = {...config, ...changes};
  send({type: "config", changes});
}

function connect() {
  const protocol = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${protocol}//${location.host}/ws`);
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => showMessage("The connection to the playground server closed; reload the page to start again.");
}

function receive(message) {
  switch (message.type) {
    case "hello":
      options = message.options;
      buildControls();
      break;
    case "config":
      config = message.config;
      if (!hashApplied) { hashApplied = true; applyHash(); }
      showConfig();
      break;
    case "data":
      data = message;
      drawPoints();
      break;
    case "network":
      network = message;
      lossHistory = [];
      buildNetwork();
      break;
    case "frame":
      stats.framesReceived++;
      // Every epoch's losses go to the chart, also those of frames replaced before they were drawn.
      lossHistory.push(...message.history);
      pendingFrame = message;
      break;
    case "status":
      playing = message.playing;
      $("play-button").classList.toggle("playing", playing);
      break;
    case "error":
      stats.errors.push(message.message);
      if (message.request === "upload_csv") showCsvError(message.message);
      else showMessage(message.message);
      break;
    case "export_python":
      download(message.filename, new Blob([message.script], {type: "text/x-python"}));
      showDialog("Export as Python: " + message.filename, message.script, message.filename, message.script);
      break;
    case "export_keras":
      download(message.filename, new Blob([decode(message.data)], {type: "application/octet-stream"}));
      break;
    case "backprop":
      showDialog("Show backprop: one training step of the first training point", message.text);
      break;
  }
}

// --- the URL holds the state ----------------------------------------------------------------------------

const LIST_FIELDS = new Set(["features", "hidden_layers", "dropout"]);

function writeHash() {
  const parts = Object.entries(config).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(",") : value}`);
  parts.push(`show_test=${ui.show_test ? 1 : 0}`, `discretize=${ui.discretize ? 1 : 0}`);
  history.replaceState(null, "", "#" + parts.join("&"));
}

function applyHash() {
  const changes = {};
  for (const part of location.hash.slice(1).split("&")) {
    if (!part.includes("=")) continue;
    const [name, raw] = part.split("=").map(decodeURIComponent);
    if (name === "show_test" || name === "discretize") { ui[name] = raw === "1"; continue; }
    if (!(name in config)) continue;
    const defaultValue = options.defaults[name];
    let value = raw;
    if (LIST_FIELDS.has(name)) {
      value = raw === "" ? [] : raw.split(",");
      if (name !== "features") value = value.map(Number);
    } else if (typeof defaultValue === "number") {
      value = Number(raw);
    }
    changes[name] = value;
  }
  if (changes.dataset === "csv") {
    // An uploaded CSV is not in the URL: its link falls back to the first dataset of its problem type.
    const problem = changes.problem || config.problem;
    changes.dataset = Object.keys(options.datasets).find((dataset) => options.datasets[dataset] === problem);
    showMessage("The uploaded CSV is not part of the link; upload it again to train on it.");
  }
  $("show-test").checked = ui.show_test;
  $("discretize").checked = ui.discretize;
  if (Object.keys(changes).length) change(changes);
}

// --- controls -------------------------------------------------------------------------------------------

function fillSelect(select, values) {
  select.innerHTML = "";
  for (const value of values) {
    const option = document.createElement("option");
    option.value = String(value);
    option.textContent = LABELS[value] || options.initializers[value] || String(value);
    select.appendChild(option);
  }
}

function buildControls() {
  fillSelect($("learning_rate"), LEARNING_RATES);
  fillSelect($("activation"), options.activations);
  fillSelect($("regularization"), options.regularizations);
  fillSelect($("regularization_rate"), REGULARIZATION_RATES);
  fillSelect($("problem"), options.problems);
  fillSelect($("optimizer"), options.optimizers);
  fillSelect($("initializer"), Object.keys(options.initializers));
  for (const element of document.querySelectorAll("[data-field]")) {
    const field = element.dataset.field;
    const isNumber = element.type === "range" || "number" in element.dataset;
    element.addEventListener("change", () => change({[field]: isNumber ? Number(element.value) : element.value}));
    if (element.type === "range") element.addEventListener("input", () => { $(field + "-value").textContent = element.value; });
  }
  $("problem").addEventListener("change", () => {
    const problem = $("problem").value;
    const dataset = Object.keys(options.datasets).find((name) => options.datasets[name] === problem);
    change({problem, dataset});
  });
  const datasets = $("datasets");
  datasets.innerHTML = "";
  for (const [name, points] of Object.entries(options.thumbnails)) {
    const canvas = document.createElement("canvas");
    canvas.width = 112; canvas.height = 112; canvas.dataset.dataset = name; canvas.title = name.replace("_", " ");
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; context.fillRect(0, 0, 112, 112);
    for (const [x1, x2, label] of points) {
      context.fillStyle = cssColour(label);
      context.beginPath(); context.arc((x1 + 6) / 12 * 112, (6 - x2) / 12 * 112, 3, 0, 2 * Math.PI); context.fill();
    }
    canvas.addEventListener("click", () => change({dataset: name}));
    datasets.appendChild(canvas);
  }
}

function showConfig() {
  for (const element of document.querySelectorAll("[data-field]")) {
    element.value = String(config[element.dataset.field]);
    if (element.type === "range") $(element.dataset.field + "-value").textContent = element.value;
  }
  $("problem").value = config.problem;
  for (const canvas of $("datasets").children) {
    canvas.classList.toggle("selected", canvas.dataset.dataset === config.dataset);
    canvas.hidden = options.datasets[canvas.dataset.dataset] !== config.problem;
  }
  writeHash();
}

function showMessage(text) {
  const box = $("message");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(showMessage.timer);
  showMessage.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

function showCsvError(text) {
  $("csv-error").textContent = text;
  $("csv-error").hidden = false;
}

function showDialog(title, text, filename, content) {
  $("dialog-title").textContent = title;
  $("dialog-text").textContent = text;
  const link = $("dialog-download");
  link.hidden = !filename;
  if (filename) { link.download = filename; link.href = URL.createObjectURL(new Blob([content])); }
  if (!$("dialog").open) $("dialog").showModal();
}

function download(filename, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

// --- the network ----------------------------------------------------------------------------------------

function layerX(index, count) {
  // index 0 is the features' column, count - 1 the output's.
  const width = $("network").clientWidth;
  return FEATURE_X + (width - FEATURE_X - NODE - 8) * index / (count - 1);
}

function makeNode(x, y, title) {
  const node = document.createElement("div");
  node.className = "node";
  node.style.left = x + "px"; node.style.top = y + "px";
  node.title = title;
  const canvas = document.createElement("canvas");
  node.appendChild(canvas);
  $("network").appendChild(node);
  return node;
}

function buildNetwork() {
  const container = $("network");
  for (const child of [...container.children]) if (child.id !== "links") child.remove();
  const hidden = config.hidden_layers;
  const columns = hidden.length + 2;
  network.nodes = [];
  // The features' column: every feature, the ones not fed in dimmed; a click toggles one.
  const featureNodes = [];
  Object.entries(options.features).forEach(([name, label], row) => {
    const y = NODE_TOP + row * NODE_STEP;
    const active = config.features.includes(name);
    const node = makeNode(FEATURE_X, y, active ? `${label}: fed to the network (click to remove)` : `${label}: click to feed it in`);
    node.classList.add("feature");
    node.classList.toggle("inactive", !active);
    node.dataset.feature = name;
    node.addEventListener("click", () => {
      const features = active ? config.features.filter((f) => f !== name) : [...config.features, name];
      change({features});
    });
    const text = document.createElement("div");
    text.className = "feature-label";
    text.textContent = label;
    text.style.left = (FEATURE_X - 88) + "px"; text.style.top = (y + 11) + "px";
    container.appendChild(text);
    if (active) featureNodes.push(node);
    const heatmap = network.features.find((f) => f.name === name);
    if (heatmap) drawHeatmap(node.firstChild, heatmap.heatmap, false);
  });
  network.nodes.push(featureNodes);
  const title = document.createElement("div");
  title.className = "column-title";
  title.textContent = "Features";
  title.style.left = (FEATURE_X - 10) + "px"; title.style.top = "30px";
  container.appendChild(title);
  // The hidden layers, each with its + / - neuron buttons and its dropout rate.
  hidden.forEach((units, layer) => {
    const x = layerX(layer + 1, columns);
    const controls = document.createElement("div");
    controls.className = "layer-controls";
    controls.style.left = (x + NODE / 2 - 38) + "px"; controls.style.top = "0px";
    controls.innerHTML = `<div class="pair"><button class="round tiny add-neuron" title="Add a neuron">+</button>` +
      `<button class="round tiny remove-neuron" title="Remove a neuron">&minus;</button></div>` +
      `<span>${units} neuron${units > 1 ? "s" : ""}</span>`;
    const dropout = document.createElement("select");
    dropout.title = "Dropout after this layer";
    for (const rate of DROPOUT_RATES) {
      const option = document.createElement("option");
      option.value = rate; option.textContent = rate ? `dropout ${rate}` : "no dropout";
      dropout.appendChild(option);
    }
    dropout.value = String(config.dropout[layer]);
    dropout.addEventListener("change", () => {
      const rates = [...config.dropout]; rates[layer] = Number(dropout.value); change({dropout: rates});
    });
    controls.appendChild(dropout);
    controls.querySelector(".add-neuron").addEventListener("click", () => setUnits(layer, units + 1));
    controls.querySelector(".remove-neuron").addEventListener("click", () => setUnits(layer, units - 1));
    container.appendChild(controls);
    const nodes = [];
    for (let unit = 0; unit < units; unit++) {
      const node = makeNode(x, NODE_TOP + 20 + unit * NODE_STEP, `layer ${layer + 1}, neuron ${unit + 1}`);
      // As in TensorFlow Playground, hovering a neuron shows what it computes in the big plot.
      node.addEventListener("mouseenter", () => { hoveredNeuron = [layer, unit]; if (lastFrame) drawFrame(lastFrame); });
      node.addEventListener("mouseleave", () => { hoveredNeuron = null; if (lastFrame) drawFrame(lastFrame); });
      nodes.push(node);
    }
    network.nodes.push(nodes);
  });
  const output = makeNode(layerX(columns - 1, columns), NODE_TOP + 20, "the output neuron");
  output.id = "output-node";
  network.nodes.push([output]);
  $("layer-count").textContent = hidden.length;
  $("add-layer").disabled = hidden.length >= 6;
  $("remove-layer").disabled = hidden.length === 0;
  container.style.height = Math.max(420, NODE_TOP + 40 + 8 * NODE_STEP) + "px";
  buildLinks();
  if (lastFrame) drawFrame(lastFrame);
}

function setUnits(layer, units) {
  if (units < 1 || units > 8) return;
  const hidden = [...config.hidden_layers];
  hidden[layer] = units;
  change({hidden_layers: hidden});
}

function buildLinks() {
  const svg = $("links");
  svg.innerHTML = "";
  network.links = [];
  for (let layer = 0; layer + 1 < network.nodes.length; layer++) {
    const rows = [];
    network.nodes[layer].forEach((from, i) => {
      const row = [];
      network.nodes[layer + 1].forEach((to, j) => {
        const x1 = from.offsetLeft + NODE, y1 = from.offsetTop + NODE / 2;
        const x2 = to.offsetLeft, y2 = to.offsetTop + NODE / 2;
        const middle = (x1 + x2) / 2;
        const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
        path.setAttribute("d", `M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}`);
        path.setAttribute("stroke", "#ccc");
        path.setAttribute("stroke-width", "1");
        path.dataset.layer = layer; path.dataset.from = i; path.dataset.to = j;
        path.addEventListener("mousemove", (event) => showWeight(event, path));
        path.addEventListener("mouseleave", () => { $("weight-tooltip").hidden = true; });
        svg.appendChild(path);
        row.push(path);
      });
      rows.push(row);
    });
    network.links.push(rows);
  }
}

function showWeight(event, path) {
  if (!lastFrame) return;
  const weight = lastFrame.weights[path.dataset.layer][path.dataset.from][path.dataset.to];
  const tooltip = $("weight-tooltip");
  const box = $("network-column").getBoundingClientRect();
  tooltip.textContent = `Weight is ${weight.toFixed(4)}`;
  tooltip.style.left = (event.clientX - box.left + 12) + "px";
  tooltip.style.top = (event.clientY - box.top - 28) + "px";
  tooltip.hidden = false;
}

// --- drawing a frame ------------------------------------------------------------------------------------

function formatLoss(value) {
  return value === null || value === undefined ? "-" : value.toFixed(3);
}

function drawFrame(frame) {
  $("epoch").textContent = String(frame.epoch).padStart(6, "0").replace(/(\d{3})(\d{3})$/, "$1,$2");
  $("test-loss").textContent = formatLoss(frame.test_loss);
  $("train-loss").textContent = formatLoss(frame.train_loss);
  const neuron = hoveredNeuron && frame.neurons[hoveredNeuron[0]] && frame.neurons[hoveredNeuron[0]][hoveredNeuron[1]];
  drawHeatmap($("boundary"), neuron || frame.output, ui.discretize);
  if (network && network.nodes && network.links) {
    frame.neurons.forEach((layer, index) => {
      const nodes = network.nodes[index + 1] || [];
      layer.forEach((heatmap, unit) => { if (nodes[unit]) drawHeatmap(nodes[unit].firstChild, heatmap, false); });
    });
    frame.weights.forEach((kernel, layer) => {
      const rows = network.links[layer] || [];
      kernel.forEach((row, i) => row.forEach((weight, j) => {
        const path = rows[i] && rows[i][j];
        if (!path) return;
        path.setAttribute("stroke", cssColour(Math.sign(weight) * Math.min(1, 0.3 + Math.abs(weight))));
        path.setAttribute("stroke-width", String(Math.min(8, 0.5 + Math.abs(weight) * 2.5)));
      }));
    });
  }
  drawLossChart();
}

function drawLossChart() {
  const canvas = $("loss-chart");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (lossHistory.length < 2) return;
  const values = lossHistory.flatMap(([, train, test]) => [train, test]).filter((v) => v !== null);
  const top = Math.max(...values, 1e-6);
  const last = lossHistory[lossHistory.length - 1][0] || 1;
  for (const [column, style] of [[1, "#999"], [2, "#000"]]) {
    context.strokeStyle = style;
    context.lineWidth = 1.5;
    context.beginPath();
    lossHistory.forEach((entry, index) => {
      if (entry[column] === null) return;
      const x = entry[0] / last * (canvas.width - 2) + 1;
      const y = canvas.height - 2 - entry[column] / top * (canvas.height - 4);
      if (index === 0) context.moveTo(x, y); else context.lineTo(x, y);
    });
    context.stroke();
  }
}

function drawPoints() {
  const canvas = $("points");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (!data) return;
  const scale = canvas.width / (2 * data.domain);
  const groups = [[data.train, "#fff"]];
  if (ui.show_test) groups.push([data.test, "#000"]);
  for (const [points, stroke] of groups) {
    for (const [x1, x2, label] of points) {
      context.beginPath();
      context.arc((x1 + data.domain) * scale, (data.domain - x2) * scale, 5, 0, 2 * Math.PI);
      context.fillStyle = cssColour(label);
      context.fill();
      context.lineWidth = 1.5;
      context.strokeStyle = stroke;
      context.stroke();
    }
  }
}

// Frames are drawn at the browser's pace: a frame that arrives while another waits replaces it.
function animate() {
  if (pendingFrame) {
    lastFrame = pendingFrame;
    pendingFrame = null;
    drawFrame(lastFrame);
    stats.framesDrawn++;
  }
  requestAnimationFrame(animate);
}

function measure() {
  let frames = stats.framesDrawn, steps = lastFrame ? lastFrame.steps : 0, time = performance.now();
  setInterval(() => {
    const now = performance.now(), seconds = (now - time) / 1000;
    const currentSteps = lastFrame ? lastFrame.steps : 0;
    stats.framesPerSecond = (stats.framesDrawn - frames) / seconds;
    stats.stepsPerSecond = Math.max(0, currentSteps - steps) / seconds;
    frames = stats.framesDrawn; steps = currentSteps; time = now;
    $("stats").textContent = playing ?
      `${stats.framesPerSecond.toFixed(0)} frames/s drawn, ${stats.stepsPerSecond.toFixed(0)} training steps/s` : "";
  }, 1000);
}

// --- wiring ---------------------------------------------------------------------------------------------

function wire() {
  $("play-button").addEventListener("click", () => send({type: playing ? "pause" : "play"}));
  $("step-button").addEventListener("click", () => send({type: "step"}));
  $("reset-button").addEventListener("click", () => send({type: "reset"}));
  $("regenerate-button").addEventListener("click", () => send({type: "regenerate"}));
  $("add-layer").addEventListener("click", () => {
    if (config.hidden_layers.length < 6) change({hidden_layers: [...config.hidden_layers, 2]});
  });
  $("remove-layer").addEventListener("click", () => {
    if (config.hidden_layers.length > 0) change({hidden_layers: config.hidden_layers.slice(0, -1)});
  });
  $("show-test").addEventListener("change", () => { ui.show_test = $("show-test").checked; drawPoints(); writeHash(); });
  $("discretize").addEventListener("change", () => {
    ui.discretize = $("discretize").checked; if (lastFrame) drawFrame(lastFrame); writeHash();
  });
  $("export-python").addEventListener("click", () => send({type: "export_python"}));
  $("export-keras").addEventListener("click", () => send({type: "export_keras"}));
  $("show-backprop").addEventListener("click", () => send({type: "backprop"}));
  $("csv-file").addEventListener("change", async () => {
    const file = $("csv-file").files[0];
    if (!file) return;
    $("csv-error").hidden = true;
    send({type: "upload_csv", text: await file.text()});
    $("csv-file").value = "";
  });
  window.addEventListener("resize", () => { if (network) buildNetwork(); });
}

wire();
connect();
measure();
requestAnimationFrame(animate);
