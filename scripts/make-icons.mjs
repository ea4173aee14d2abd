#!/usr/bin/env node
/**
 * Draws the app icon (a clock face on a rounded blue square) and writes resources/icon.png
 * (512×512) and resources/icon-256.png with a tiny PNG encoder (zlib only, no dependencies).
 */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};

function icon(size) {
  const rows = [];
  const s = size / 512;
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      // Rounded square background.
      const r = 96 * s;
      const dx = Math.max(r - x, x - (size - 1 - r), 0);
      const dy = Math.max(r - y, y - (size - 1 - r), 0);
      const inside = dx * dx + dy * dy <= r * r;
      let px = inside ? [37, 99, 235, 255] : [0, 0, 0, 0];
      const d = Math.hypot(x - c, y - c);
      if (inside && d < 180 * s) px = [255, 255, 255, 255];
      if (inside && d < 160 * s) px = [239, 246, 255, 255];
      // Hands: to 12 and to 3 o'clock.
      const minute = Math.abs(x - c) < 12 * s && y < c && y > c - 130 * s;
      const hour = Math.abs(y - c) < 12 * s && x > c && x < c + 95 * s;
      if (inside && (minute || hour || d < 20 * s)) px = [30, 41, 59, 255];
      row.set(px, 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

writeFileSync('resources/icon.png', icon(512));
writeFileSync('resources/icon-256.png', icon(256));
console.log('make-icons: wrote resources/icon.png (512×512) and resources/icon-256.png (256×256)');
