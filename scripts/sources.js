#!/usr/bin/env node
// Lists the C++ sources of the addon for binding.gyp (gyp has no globbing):
// every .cc under cpp/, relative to the package root.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
function walk(dir, out) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel, out);
    else if (entry.name.endsWith('.cc')) out.push(rel);
  }
  return out;
}
process.stdout.write(walk('cpp', []).sort().join(' '));
