// ONNX Runtime's half of the comparison (bench/onnx_parity/run.py drives both halves).
//
//   node bench/onnx_parity/ort_bench.js --models <dir from make_models.py> [--only <model>[/<scenario>]]...
//        [--out <dir>] [--min-time-ms 1000] [--threads 1]
//
// The same protocol as finserve's onnx_parity_bench: one InferenceSession per model (CPU,
// graph optimisations on, intra- and inter-op threads as given, sequential execution), inputs
// from the scenario's input_N.npy, outputs written as <out>/<model>.<scenario>.ort.output_N.npy,
// 20 warm-up runs, then runs until --min-time-ms has passed (at least 50), one JSON line per
// scenario. Each timed call is `await session.run(feeds)`, i.e. including the binding's own cost.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array],
};

function parseArgs(argv) {
  const o = {models: '', out: '.', only: [], minTimeMs: 1000, threads: 1};
  for (let i = 2; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--models') o.models = value;
    else if (flag === '--out') o.out = value;
    else if (flag === '--only') o.only.push(value);
    else if (flag === '--min-time-ms') o.minTimeMs = Number(value);
    else if (flag === '--threads') o.threads = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!o.models) throw new Error('--models <dir written by make_models.py> is required');
  return o;
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not an .npy file`);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  if (!(descr in DTYPES)) throw new Error(`${file}: unsupported dtype ${descr}`);
  const [type, Array] = DTYPES[descr];
  const data = buf.subarray(10 + headerLen);
  const copy = new Uint8Array(data.length);  // aligned copy for the typed array
  copy.set(data);
  return new ort.Tensor(type, new Array(copy.buffer), dims);
}

function writeNpy(tensor, file) {
  const descr = Object.keys(DTYPES).find((k) => DTYPES[k][0] === tensor.type);
  if (!descr) throw new Error(`${file}: unsupported output type ${tensor.type}`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(dict, 'latin1'), data]));
}

async function timeRuns(session, feeds, minTimeMs) {
  for (let i = 0; i < 20; i++) await session.run(feeds);
  const us = [];
  const start = process.hrtime.bigint();
  while (us.length < 50 || Number(process.hrtime.bigint() - start) / 1e6 < minTimeMs) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    us.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  us.sort((a, b) => a - b);
  return {median_us: us[Math.floor(us.length / 2)], mean_us: mean, p90_us: us[Math.floor(us.length * 0.9)],
          calls: us.length};
}

async function main() {
  const o = parseArgs(process.argv);
  const manifest = JSON.parse(fs.readFileSync(path.join(o.models, 'manifest.json'), 'utf8'));
  const selected = (m, s) => o.only.length === 0 || o.only.includes(m) || o.only.includes(`${m}/${s}`);
  for (const m of manifest.models) {
    const scenarios = m.scenarios.filter((s) => selected(m.name, s.name));
    if (scenarios.length === 0) continue;
    const session = await ort.InferenceSession.create(path.join(o.models, m.file), {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
      intraOpNumThreads: o.threads, interOpNumThreads: 1,
    });
    for (const s of scenarios) {
      const feeds = {};
      for (const input of s.inputs) feeds[input.name] = readNpy(path.join(o.models, input.npy));
      const results = await session.run(feeds);
      session.outputNames.forEach((name, i) =>
        writeNpy(results[name], path.join(o.out, `${m.name}.${s.name}.ort.output_${i}.npy`)));
      const t = await timeRuns(session, feeds, o.minTimeMs);
      console.log(JSON.stringify({runtime: 'onnxruntime-node', version: ort.env.versions.node, model: m.name,
                                  scenario: s.name, batch: s.batch, ...t, rows_per_s: s.batch * 1e6 / t.mean_us}));
    }
  }
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
