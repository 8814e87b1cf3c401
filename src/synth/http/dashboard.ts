// `/dashboard`: one self-contained page that polls `/status` once a second and
// shows workers, breakers, queue and latency as they change. When the service
// has a token, open it as `/dashboard#token=...`: the page sends the fragment
// (never sent to the server by the browser) as a bearer token.

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lector synthesis - dashboard</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 1.5rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  .cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
  .card { border: 1px solid #8884; border-radius: 8px; padding: .6rem .9rem; min-width: 8.5rem; }
  .card b { display: block; font-size: 1.4rem; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #8883; }
  .READY { color: #1a7f37; } .BUSY { color: #0969da; } .INITIALIZING { color: #9a6700; }
  .UNHEALTHY, .open { color: #cf222e; font-weight: bold; } .half_open { color: #9a6700; }
  .SHUTTING_DOWN, .TERMINATED { color: #6e7781; }
  canvas { width: 100%; height: 120px; border: 1px solid #8884; border-radius: 8px; }
  #err { color: #cf222e; }
</style>
</head>
<body>
<h1>Lector synthesis service</h1>
<div id="state">connecting...</div><div id="err"></div>
<div class="cards">
  <div class="card">queue<b id="queue">-</b><span id="queueByPrio"></span></div>
  <div class="card">requests/s<b id="rps">-</b></div>
  <div class="card">latency p50 / p95 / p99 (ms)<b id="lat">-</b></div>
  <div class="card">success rate<b id="success">-</b></div>
  <div class="card">active workers<b id="active">-</b></div>
  <div class="card">memory<b id="mem">-</b></div>
  <div class="card">requests / failed / retried<b id="totals">-</b></div>
</div>
<canvas id="chart" width="900" height="120" aria-label="latency p50 and p95 over time"></canvas>
<h2>Workers</h2>
<table>
  <thead><tr><th>id</th><th>template</th><th>pid</th><th>state</th><th>protocol</th><th>breaker</th><th>health</th><th>in flight</th><th>served</th><th>success</th><th>avg ms</th><th>RSS</th><th>models</th></tr></thead>
  <tbody id="workers"></tbody>
</table>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const history = [];
const $ = (id) => document.getElementById(id);
const mb = (b) => b == null ? '-' : (b / 1048576).toFixed(0) + ' MB';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function draw() {
  const c = $('chart'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const max = Math.max(100, ...history.map((h) => h.p95));
  for (const [key, color] of [['p50', '#0969da'], ['p95', '#cf222e']]) {
    g.strokeStyle = color; g.beginPath();
    history.forEach((h, i) => {
      const x = (i / 119) * c.width, y = c.height - (h[key] / max) * (c.height - 10) - 5;
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  }
  g.fillStyle = '#888'; g.fillText(max.toFixed(0) + ' ms', 4, 12);
}
async function refresh() {
  try {
    const res = await fetch('/status', { headers: token ? { authorization: 'Bearer ' + token } : {} });
    if (!res.ok) throw new Error('GET /status: ' + res.status);
    const s = await res.json(), m = s.metrics;
    $('err').textContent = '';
    $('state').textContent = 'state: ' + s.state + ' - strategy: ' + s.strategy + ' - up ' + Math.round(s.uptimeMs / 1000) + ' s';
    $('queue').textContent = s.queue.depth + ' / ' + s.queue.capacity;
    $('queueByPrio').textContent = 'high ' + s.queue.byPriority.high + ', normal ' + s.queue.byPriority.normal + ', low ' + s.queue.byPriority.low;
    $('rps').textContent = m.requestsPerSecond.toFixed(1);
    $('lat').textContent = m.p50Latency.toFixed(0) + ' / ' + m.p95Latency.toFixed(0) + ' / ' + m.p99Latency.toFixed(0);
    $('success').textContent = (m.successRate * 100).toFixed(1) + ' %';
    $('active').textContent = m.activeWorkers + ' / ' + s.workers.length;
    $('mem').textContent = mb(m.memoryUsage);
    $('totals').textContent = m.totalRequests + ' / ' + m.failedRequests + ' / ' + m.retriedRequests;
    $('workers').innerHTML = s.workers.map((w) => '<tr><td>' + esc(w.id) + '</td><td>' + esc(w.template) + '</td><td>' + (w.pid ?? '-') +
      '</td><td class="' + w.state + '">' + w.state + '</td><td>' + esc(w.protocol ?? '-') + '</td><td class="' + w.breaker + '">' + w.breaker +
      '</td><td>' + w.healthScore + '</td><td>' + w.inFlight + '</td><td>' + w.requestsServed + '</td><td>' + (w.successRate * 100).toFixed(0) +
      ' %</td><td>' + w.avgResponseMs.toFixed(0) + '</td><td>' + mb(w.rssBytes) + '</td><td>' + esc(w.models.slice(0, 4).join(' ')) + '</td></tr>').join('');
    history.push({ p50: m.p50Latency, p95: m.p95Latency });
    if (history.length > 120) history.shift();
    draw();
  } catch (e) {
    $('err').textContent = String(e);
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
