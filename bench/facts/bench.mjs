// The facts filter benchmark in the browser: our wasm engine (bench/facts-wasm), crossfilter2
// and a plain full scan over JavaScript typed arrays, on the same rows and the same seeded
// changes, each change timed with performance.now() up to all linked views recomputed, and the
// three results compared after every change. Driven by run.mjs (window.bench); opened by hand
// with ?auto it runs everything itself and prints the summary.

import init, { FactsBench, firstView } from './pkg/facts_wasm.js';

const crossfilter = globalThis.crossfilter;

// Bits of a row's rejection mask, one per dimension (the order of the Rust Dimension enum).
const TIME = 1, KIND = 2, SECTOR = 4, STATUS = 8, SUBJECT = 16, DISCIPLINE = 32, CATEGORY = 64,
  PROVINCE = 128, COMMUNE = 256, SPACE = 512;
const BIT = {
  time: TIME, kind: KIND, sector: SECTOR, status: STATUS, subject: SUBJECT,
  discipline: DISCIPLINE, category: CATEGORY, province: PROVINCE, commune: COMMUNE, space: SPACE,
};
const NO_PROVINCE = 255;
const NO_COMMUNE = 65535;

// The exact arithmetic of domain::facts::lat_of / lon_of and domain::geometry::haversine_km.
const latOf = (q) => 8.0 + q * ((24.0 - 8.0) / 65535.0);
const lonOf = (q) => 102.0 + q * ((118.0 - 102.0) / 65535.0);
const EARTH_RADIUS_KM = 6371.0088;
const DEG = Math.PI / 180.0;
function haversineKm(lat1, lon1, lat2, lon2) {
  const p1 = lat1 * DEG, p2 = lat2 * DEG;
  const dp = (lat2 - lat1) * DEG;
  const dl = (lon2 - lon1) * DEG;
  const s1 = Math.sin(dp / 2.0), s2 = Math.sin(dl / 2.0);
  const a = s1 * s1 + Math.cos(p1) * Math.cos(p2) * (s2 * s2);
  return 2.0 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
}
// domain::facts::engine::point_in_polygon (even-odd, edges straight in degrees).
function pointInPolygon(lat, lon, ys, xs) {
  let inside = false;
  const k = ys.length;
  for (let i = 0, j = k - 1; i < k; j = i++) {
    const yi = ys[i], xi = xs[i], yj = ys[j], xj = xs[j];
    if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// A quantized location test for a spatial filter, with a cheap exact pre-test (a row farther
// in latitude than km / 111 is farther than km: a degree of latitude is 111.19 km of great
// circle; a row outside the polygon's box is outside the polygon).
function spatialTest(kind, p) {
  if (kind === 'radius') {
    const [lat, lon, km] = p;
    if (!(km >= 0 && Number.isFinite(lat) && Number.isFinite(lon))) return () => false;
    const dlat = km / 111.0 + 1e-4;
    return (qa, qo) => {
      const a = latOf(qa);
      if (Math.abs(a - lat) > dlat) return false;
      return haversineKm(a, lonOf(qo), lat, lon) <= km;
    };
  }
  const ys = [], xs = [];
  for (let i = 0; i < p.length; i += 2) { ys.push(p[i]); xs.push(p[i + 1]); }
  if (ys.length < 3 || p.some((v) => !Number.isFinite(v))) return () => false;
  const a0 = Math.min(...ys), a1 = Math.max(...ys), o0 = Math.min(...xs), o1 = Math.max(...xs);
  return (qa, qo) => {
    const a = latOf(qa), o = lonOf(qo);
    if (a < a0 || a > a1 || o < o0 || o > o1) return false;
    return pointInPolygon(a, o, ys, xs);
  };
}

// The flat views (see bench/facts-wasm): [total, amount lo, amount hi, kind.., sector..,
// status.., subject.., discipline.., category.., province.., commune.., days..].
function layout(shape) {
  const names = ['kind', 'sector', 'status', 'subject', 'discipline', 'category', 'province',
    'commune', 'days'];
  const at = {};
  let o = 3;
  names.forEach((n, i) => { at[n] = [o, shape[i]]; o += shape[i]; });
  return { at, len: o, firstDay: shape[9], shape };
}

function putAmount(out, amount) {
  out[1] = amount >>> 0;
  out[2] = Math.floor(amount / 4294967296);
}

// Views by combination of categories folded into views by category (a case with two
// categories counts in both), as the engine does.
function foldCategories(byMask, out, off, cats) {
  for (let c = 0; c < cats; c++) out[off + c] = 0;
  for (let m = 1; m < byMask.length; m++) {
    const n = byMask[m];
    if (n === 0) continue;
    for (let c = 0; c < cats; c++) if (m & (1 << c)) out[off + c] += n;
  }
}

// ---- The plain full scan over typed arrays ------------------------------------------------

class Scan {
  constructor(cols, lay) {
    this.c = cols;
    this.lay = lay;
    this.n = cols.day.length;
    this.dayLo = 0;
    this.dayHi = 65535;
    // Per dimension and value, the rejection bit (0 when the value passes).
    this.rej = {
      kind: new Uint16Array(256), sector: new Uint16Array(256), status: new Uint16Array(256),
      subject: new Uint16Array(256), discipline: new Uint16Array(256),
      category: new Uint16Array(65536), province: new Uint16Array(256),
      commune: new Uint16Array(65536),
    };
    this.space = new Uint16Array(this.n);
    this.out = new Uint32Array(lay.len);
    this.byMask = new Uint32Array(512);
    this.scan();
  }

  apply(dim, filter, p) {
    if (dim === 'time') {
      if (filter === 'clear') { this.dayLo = 0; this.dayHi = 65535; }
      else if (p[0] > p[1]) { this.dayLo = 1; this.dayHi = 0; }
      else { this.dayLo = p[0]; this.dayHi = p[1]; }
    } else if (dim === 'space') {
      const sp = this.space;
      if (filter === 'clear') sp.fill(0);
      else {
        const test = spatialTest(filter, p);
        const { lat, lon } = this.c;
        for (let i = 0; i < this.n; i++) sp[i] = test(lat[i], lon[i]) ? 0 : SPACE;
      }
    } else if (dim === 'category') {
      const t = this.rej.category;
      let sel = 0;
      for (const v of p) if (v < 9) sel |= 1 << v;
      for (let m = 0; m < t.length; m++) t[m] = filter === 'clear' || (m & sel) !== 0 ? 0 : CATEGORY;
    } else {
      const t = this.rej[dim], bit = BIT[dim];
      if (filter === 'clear') t.fill(0);
      else {
        t.fill(bit);
        // NO_PROVINCE / NO_COMMUNE (and values past the dictionary) never match a value.
        const limit = dim === 'province' ? this.lay.shape[6] : dim === 'commune' ? this.lay.shape[7] : 256;
        for (const v of p) if (v < limit) t[v] = 0;
      }
    }
    this.scan();
    return this.out;
  }

  scan() {
    const { day, kind, sector, status, subject, discipline, categories, province, commune, amount } = this.c;
    const { kind: rk, sector: rs, status: rt, subject: rj, discipline: rd, category: rc,
      province: rp, commune: rm } = this.rej;
    const sp = this.space;
    const lo = this.dayLo, hi = this.dayHi;
    const out = this.out;
    const at = this.lay.at;
    const oK = at.kind[0], oS = at.sector[0], oT = at.status[0], oJ = at.subject[0],
      oD = at.discipline[0], oP = at.province[0], oM = at.commune[0],
      oY = at.days[0] - this.lay.firstDay;
    const nP = at.province[1], nM = at.commune[1];
    const byMask = this.byMask;
    out.fill(0);
    byMask.fill(0);
    let total = 0, amt = 0;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      const d = day[i];
      const m = ((d < lo) | (d > hi)) | rk[kind[i]] | rs[sector[i]] | rt[status[i]] |
        rj[subject[i]] | rd[discipline[i]] | rc[categories[i]] | rp[province[i]] |
        rm[commune[i]] | sp[i];
      if (m === 0) {
        total++;
        amt += amount[i];
        out[oY + d]++;
        out[oK + kind[i]]++;
        out[oS + sector[i]]++;
        out[oT + status[i]]++;
        out[oJ + subject[i]]++;
        out[oD + discipline[i]]++;
        byMask[categories[i]]++;
        const p = province[i];
        if (p < nP) out[oP + p]++;
        const c = commune[i];
        if (c < nM) out[oM + c]++;
      } else if ((m & (m - 1)) === 0) {
        switch (m) {
          case TIME: out[oY + d]++; break;
          case KIND: out[oK + kind[i]]++; break;
          case SECTOR: out[oS + sector[i]]++; break;
          case STATUS: out[oT + status[i]]++; break;
          case SUBJECT: out[oJ + subject[i]]++; break;
          case DISCIPLINE: out[oD + discipline[i]]++; break;
          case CATEGORY: byMask[categories[i]]++; break;
          case PROVINCE: { const p = province[i]; if (p < nP) out[oP + p]++; break; }
          case COMMUNE: { const c = commune[i]; if (c < nM) out[oM + c]++; break; }
          default: break;
        }
      }
    }
    out[0] = total;
    putAmount(out, amt);
    foldCategories(byMask, out, at.category[0], at.category[1]);
  }
}

// ---- crossfilter2 -------------------------------------------------------------------------

class Crossfilter {
  constructor(cols, lay) {
    this.c = cols;
    this.lay = lay;
    const n = cols.day.length;
    // The records are row numbers; every accessor reads the shared typed-array columns.
    const records = new Array(n);
    for (let i = 0; i < n; i++) records[i] = i;
    const cf = crossfilter(records);
    this.cf = cf;
    const { day, kind, sector, status, subject, discipline, categories, province, commune, lat, lon, amount } = cols;
    this.dims = {
      time: cf.dimension((i) => day[i]),
      kind: cf.dimension((i) => kind[i]),
      sector: cf.dimension((i) => sector[i]),
      status: cf.dimension((i) => status[i]),
      subject: cf.dimension((i) => subject[i]),
      discipline: cf.dimension((i) => discipline[i]),
      // One value per combination of categories (folded into categories when read).
      category: cf.dimension((i) => categories[i]),
      province: cf.dimension((i) => province[i]),
      commune: cf.dimension((i) => commune[i]),
      // The quantized location as one number (lat * 65536 + lon).
      space: cf.dimension((i) => lat[i] * 65536 + lon[i]),
    };
    this.groups = {};
    for (const d of ['time', 'kind', 'sector', 'status', 'subject', 'discipline', 'category', 'province', 'commune']) {
      this.groups[d] = this.dims[d].group();
    }
    this.all = cf.groupAll().reduce(
      (p, i) => { p.count++; p.amount += amount[i]; return p; },
      (p, i) => { p.count--; p.amount -= amount[i]; return p; },
      () => ({ count: 0, amount: 0 }),
    );
    this.out = new Uint32Array(lay.len);
    this.byMask = new Uint32Array(512);
    this.read();
  }

  apply(dim, filter, p) {
    const d = this.dims[dim];
    if (filter === 'clear') d.filterAll();
    else if (filter === 'days') {
      if (p[0] > p[1]) d.filterFunction(() => false);
      else d.filterRange([p[0], p[1] + 1]);
    } else if (filter === 'values') {
      if (dim === 'category') {
        let sel = 0;
        for (const v of p) if (v < 9) sel |= 1 << v;
        d.filterFunction((m) => (m & sel) !== 0);
      } else {
        const limit = dim === 'province' ? this.lay.shape[6] : dim === 'commune' ? this.lay.shape[7] : 256;
        const ok = p.filter((v) => v < limit);
        if (ok.length === 1) d.filterExact(ok[0]);
        else {
          const set = new Set(ok);
          d.filterFunction((v) => set.has(v));
        }
      }
    } else {
      const test = spatialTest(filter, p);
      d.filterFunction((key) => test(Math.floor(key / 65536), key % 65536));
    }
    this.read();
    return this.out;
  }

  read() {
    const out = this.out, at = this.lay.at;
    out.fill(0);
    const put = (name, shift) => {
      const [o, len] = at[name];
      for (const { key, value } of this.groups[name === 'days' ? 'time' : name].all()) {
        const k = key - shift;
        if (k >= 0 && k < len) out[o + k] = value;
      }
    };
    put('days', this.lay.firstDay);
    for (const name of ['kind', 'sector', 'status', 'subject', 'discipline', 'province', 'commune']) put(name, 0);
    const byMask = this.byMask;
    byMask.fill(0);
    for (const { key, value } of this.groups.category.all()) byMask[key] = value;
    foldCategories(byMask, out, at.category[0], at.category[1]);
    const v = this.all.value();
    out[0] = v.count;
    putAmount(out, v.amount);
  }
}

// ---- The benchmark ------------------------------------------------------------------------

const PARTS = ['total', 'amount', 'amount', 'kind', 'sector', 'status', 'subject', 'discipline',
  'category', 'province', 'commune', 'days'];

function partOf(lay, i) {
  if (i < 3) return PARTS[i];
  for (const [name, [o, len]] of Object.entries(lay.at)) if (i >= o && i < o + len) return `${name}[${i - o}]`;
  return `#${i}`;
}

function firstDiff(a, b) {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const state = {};

async function gzipBytes(bytes) {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// From the request for the gzipped payload to the first filtered view: fetch it (from an object
// URL: no network, no server), gunzip it in the browser, decode it, build an engine, compute the
// views. Median of `runs`.
async function firstViewMs(gz, rows, runs = 5) {
  const url = URL.createObjectURL(new Blob([gz]));
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const body = res.body.pipeThrough(new DecompressionStream('gzip'));
    const bytes = new Uint8Array(await new Response(body).arrayBuffer());
    const total = firstView(bytes);
    times.push(performance.now() - t0);
    if (total !== rows) throw new Error(`first view counted ${total} rows of ${rows}`);
  }
  URL.revokeObjectURL(url);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const bench = {
  // Loads the wasm, generates the table (not timed), builds the engine (timed), copies the
  // engine's columns into JavaScript typed arrays (for the two peers).
  async initWasm(rows, seed) {
    const t0 = performance.now();
    const wasm = await init({ module_or_path: new URL('./pkg/facts_wasm_bg.wasm', import.meta.url) });
    state.memory = wasm.memory;
    const t1 = performance.now();
    const b = new FactsBench(rows, seed);
    const t2 = performance.now();
    const wire = b.wire();
    const gz = await gzipBytes(wire);
    const t3 = performance.now();
    b.build();
    const buildMs = performance.now() - t3;
    state.gz = gz;
    state.b = b;
    const lay = layout(b.shape());
    state.lay = lay;
    const cols = {};
    for (const name of ['id', 'day', 'kind', 'sector', 'status', 'subject', 'discipline', 'categories',
      'province', 'commune', 'lat', 'lon', 'amount']) cols[name] = b[name]();
    state.cols = cols;
    const colBytes = Object.values(cols).reduce((s, c) => s + c.byteLength, 0);
    return {
      rows: b.rows(), loadMs: t1 - t0, generateMs: t2 - t1, buildMs,
      rowBytes: b.rowBytes(), columnBytesPerRow: colBytes / rows,
      indexBytes: b.indexBytes(), wasmMemory: state.memory.buffer.byteLength,
      wireBytes: wire.length, wireGzipBytes: gz ? gz.length : null, shape: lay.shape,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
    };
  },

  // Run last (it builds a second engine, which would weigh on the passes' memory and caches).
  async firstView() {
    return state.gz ? firstViewMs(state.gz, state.b.rows()) : null;
  },

  wasmViews() {
    const len = state.b.views();
    return new Uint32Array(state.memory.buffer, state.b.outPtr(), len);
  },

  buildScan() {
    const t = performance.now();
    state.scan = new Scan(state.cols, state.lay);
    return { buildMs: performance.now() - t };
  },

  buildCrossfilter() {
    const t = performance.now();
    state.cf = new Crossfilter(state.cols, state.lay);
    return { buildMs: performance.now() - t };
  },

  // Initial views of the three, compared.
  checkInitial() {
    const w = bench.wasmViews();
    const mism = [];
    for (const [name, peer] of [['crossfilter2', state.cf], ['scan', state.scan]]) {
      if (!peer) continue;
      const i = firstDiff(w, peer.out);
      if (i !== -1) mism.push({ change: -1, peer: name, at: i < 0 ? 'length' : partOf(state.lay, i), wasm: w[i], other: peer.out[i] });
    }
    return { total: w[0], mismatches: mism };
  },

  // What reading our engine's views into the flat array costs alone (median of reps calls).
  viewsCost(reps) {
    const t = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      state.b.views();
      t.push(performance.now() - t0);
    }
    t.sort((a, b) => a - b);
    return t[Math.floor(t.length / 2)];
  },

  // Clears every filter in the three engines (to run the sequence again, warm), compared.
  resetAll() {
    state.b.clearAll();
    const sc = state.scan;
    if (sc) {
      sc.dayLo = 0;
      sc.dayHi = 65535;
      for (const t of Object.values(sc.rej)) t.fill(0);
      sc.space.fill(0);
      sc.scan();
    }
    if (state.cf) {
      for (const d of Object.values(state.cf.dims)) d.filterAll();
      state.cf.read();
    }
    return bench.checkInitial();
  },

  plan(changes, seed) {
    const b = state.b;
    const count = b.plan(changes, seed);
    state.changes = [];
    for (let k = 0; k < count; k++) {
      state.changes.push({
        label: b.changeLabel(k), dim: b.changeDimension(k), filter: b.changeFilter(k),
        params: Array.from(b.changeParams(k)),
      });
    }
    return count;
  },

  // Runs changes from..to (exclusive): each engine in turn, timed, then the three compared
  // (alone: our engine only, nothing compared, its data left in the caches between changes).
  run(from, to, alone = false) {
    const { b, memory } = state;
    const scan = alone ? null : state.scan;
    const cf = alone ? null : state.cf;
    const res = [];
    for (let k = from; k < to; k++) {
      const ch = state.changes[k];
      const t0 = performance.now();
      const len = b.apply(k);
      const t1 = performance.now();
      const w = new Uint32Array(memory.buffer, b.outPtr(), len);
      const t2 = performance.now();
      const c = cf ? cf.apply(ch.dim, ch.filter, ch.params) : null;
      const t3 = performance.now();
      const s = scan ? scan.apply(ch.dim, ch.filter, ch.params) : null;
      const t4 = performance.now();
      const mism = [];
      for (const [name, out] of [['crossfilter2', c], ['scan', s]]) {
        if (!out) continue;
        const i = firstDiff(w, out);
        if (i !== -1) mism.push({ peer: name, at: i < 0 ? 'length' : partOf(state.lay, i), wasm: w[i], other: out[i] });
      }
      res.push({
        k, label: ch.label, dim: ch.dim, filter: ch.filter, total: w[0],
        wasm: t1 - t0, crossfilter2: cf ? t3 - t2 : null, scan: scan ? t4 - t3 : null, mismatches: mism,
      });
    }
    return res;
  },
};

globalThis.bench = bench;
globalThis.benchReady = true;

// Opened by hand: ?auto[&rows=N&changes=N] runs everything and prints a summary.
const q = new URLSearchParams(location.search);
if (q.has('auto')) {
  const pre = document.getElementById('out');
  const log = (s) => { pre.textContent += s + '\n'; };
  const rows = Number(q.get('rows') || 1000000), changes = Number(q.get('changes') || 200);
  (async () => {
    const info = await bench.initWasm(rows, 2026);
    log(`wasm build ${info.buildMs.toFixed(1)} ms, ${info.rows} rows`);
    log(`scan build ${bench.buildScan().buildMs.toFixed(1)} ms`);
    log(`crossfilter2 build ${bench.buildCrossfilter().buildMs.toFixed(1)} ms`);
    bench.plan(changes, 7);
    const r = bench.run(0, changes);
    for (const e of ['wasm', 'crossfilter2', 'scan']) {
      const v = r.map((x) => x[e]).sort((a, b) => a - b);
      const at = (p) => v[Math.round((v.length - 1) * p)];
      log(`${e}: median ${at(0.5).toFixed(3)} ms, p95 ${at(0.95).toFixed(3)} ms, max ${v[v.length - 1].toFixed(3)} ms`);
    }
    log(`mismatches: ${r.reduce((s, x) => s + x.mismatches.length, 0)}`);
  })().catch((e) => log(String(e)));
}
