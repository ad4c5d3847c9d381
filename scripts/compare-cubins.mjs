// Compares the machine code of every kernel in two CUDA cubins (ELF64), byte for byte: each
// `.text.<kernel>` section, kernels matched by name with the anonymous-namespace hash
// (_GLOBAL__N__<hash>_, which depends on the file's path) normalised. For refactors of the CUDA
// sources that must not move a bit: compile the file before and after with
//   nvcc -cubin -O3 -DNDEBUG -arch=sm_90 -std=c++17 -DNAPI_CPP_EXCEPTIONS -DNAPI_VERSION=8 \
//     -DPRHS_MUTANT=0 -Isrc cuda/FILE.cu -o FILE.cubin      (from native/; --fmad=false for
//                                                           certified.cu and model/certifiedCheck.cu)
// and run `node scripts/compare-cubins.mjs OLD.cubin NEW.cubin`. Prints one line per kernel;
// exit 0 when every kernel's code is identical, 1 when one differs or exists on one side only,
// 2 on bad arguments or a file that is not an ELF64 cubin. No GPU and no cuobjdump needed.
import { readFileSync } from 'node:fs';

function kernelSections(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${error instanceof Error ? error.message : error}`);
  }
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2) {
    throw new Error(`${path} is not an ELF64 file (a cubin from nvcc -cubin)`);
  }
  const sectionTable = Number(bytes.readBigUInt64LE(0x28));
  const entrySize = bytes.readUInt16LE(0x3a);
  const count = bytes.readUInt16LE(0x3c);
  const namesIndex = bytes.readUInt16LE(0x3e);
  const header = (i) => {
    const at = sectionTable + i * entrySize;
    return {
      name: bytes.readUInt32LE(at),
      type: bytes.readUInt32LE(at + 4),
      offset: Number(bytes.readBigUInt64LE(at + 0x18)),
      size: Number(bytes.readBigUInt64LE(at + 0x20)),
    };
  };
  const names = header(namesIndex);
  const nameAt = (offset) => {
    const start = names.offset + offset;
    return bytes.toString('latin1', start, bytes.indexOf(0, start));
  };
  const sections = new Map();
  for (let i = 0; i < count; i++) {
    const h = header(i);
    const name = nameAt(h.name).replace(/_GLOBAL__N__[0-9a-f]+_/g, '_GLOBAL__N__X_');
    if (!name.startsWith('.text.')) continue;
    const code = h.type === 8 ? Buffer.alloc(0) : bytes.subarray(h.offset, h.offset + h.size); // 8: NOBITS
    sections.set(name.slice(6), code);
  }
  return sections;
}

const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath || process.argv.length > 4) {
  console.error('usage: node scripts/compare-cubins.mjs OLD.cubin NEW.cubin');
  process.exit(2);
}
let before, after;
try {
  before = kernelSections(oldPath);
  after = kernelSections(newPath);
} catch (error) {
  console.error(`compare-cubins: ${error instanceof Error ? error.message : error}`);
  process.exit(2);
}
let differing = 0;
for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
  const a = before.get(name);
  const b = after.get(name);
  if (!a || !b) {
    console.log(`only in ${a ? 'old' : 'new'}: ${name}`);
    differing++;
  } else if (a.equals(b)) {
    console.log(`same ${a.length} bytes: ${name}`);
  } else {
    console.log(`DIFFERENT (${a.length} -> ${b.length} bytes): ${name}`);
    differing++;
  }
}
console.log(
  differing === 0
    ? `compare-cubins: the same machine code in all ${before.size} kernels`
    : `compare-cubins: ${differing} kernel(s) differ`,
);
process.exit(differing === 0 ? 0 : 1);
