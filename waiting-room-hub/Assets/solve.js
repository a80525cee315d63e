// The proof-of-work solver, a dedicated worker of the challenge page (challenge.js), so the page stays responsive while
// it works. The rule is ChallengeService's (waiting-room/Challenges/ChallengeService.cs): find a nonce n.toString(36),
// counting n from 0, such that SHA-256 of the ASCII bytes of `<prefix>:<nonce>` starts with at least `difficulty` zero
// bits, from the most significant bit of the first byte. Expected work: 2^difficulty hashes.
// Hashing is WebCrypto's (crypto.subtle.digest): each digest is a promise, so a batch of them is kept in flight at once
// and the per-call overhead is paid in parallel, not in turn.
// Messages in: { prefix, difficulty } starts a search (and abandons any search before it).
// Messages out: { type: 'progress', tried } a few times a second; { type: 'solved', nonce, tried, ms } once;
// { type: 'error', message } when it cannot work (no WebCrypto, a challenge it cannot read).
'use strict';

const BATCH = 512; // digests in flight at once
const PROGRESS_MS = 250;
const MAX_DIFFICULTY = 32; // ChallengeService.MaxDifficulty
const prefixPattern = /^[A-Za-z0-9_.-]{1,120}$/; // ChallengeService's prefix alphabet, never a ':'

let search = 0; // the current search; a new challenge abandons the one before

/** Leading zero bits of `hash` (an ArrayBuffer), from the most significant bit of its first byte. */
function leadingZeroBits(hash) {
  const bytes = new Uint8Array(hash);
  let bits = 0;
  for (const byte of bytes) {
    if (byte !== 0) {
      return bits + Math.clz32(byte) - 24;
    }
    bits += 8;
  }
  return bits;
}

/**
 * The ASCII bytes of `<prefix>:` (`head`) followed by the nonce of a counter, written into one buffer per nonce length:
 * digest() copies its input when it is called, so a buffer is free again as soon as the call returns.
 */
function inputs(head) {
  const buffers = [];
  return (counter) => {
    const nonce = counter.toString(36);
    let bytes = buffers[nonce.length];
    if (!bytes) {
      bytes = buffers[nonce.length] = new Uint8Array(head.length + nonce.length);
      bytes.set(head);
    }
    for (let i = 0; i < nonce.length; i++) {
      bytes[head.length + i] = nonce.charCodeAt(i);
    }
    return bytes;
  };
}

async function solve(id, prefix, difficulty) {
  const head = new Uint8Array(prefix.length + 1);
  for (let i = 0; i < prefix.length; i++) {
    head[i] = prefix.charCodeAt(i);
  }
  head[prefix.length] = 0x3a; // ':'

  const started = performance.now();
  let reported = started;
  let counter = 0;
  const input = inputs(head);
  const digests = new Array(BATCH);
  while (id === search) {
    for (let i = 0; i < BATCH; i++) {
      digests[i] = crypto.subtle.digest('SHA-256', input(counter + i));
    }
    const hashes = await Promise.all(digests);
    for (let i = 0; i < BATCH; i++) {
      if (leadingZeroBits(hashes[i]) >= difficulty) {
        const nonce = (counter + i).toString(36);
        postMessage({ type: 'solved', nonce, tried: counter + i + 1, ms: performance.now() - started });
        return;
      }
    }
    counter += BATCH;
    const now = performance.now();
    if (now - reported >= PROGRESS_MS) {
      reported = now;
      postMessage({ type: 'progress', tried: counter });
    }
  }
}

self.onmessage = (event) => {
  const { prefix, difficulty } = event.data ?? {};
  const id = ++search;
  if (typeof prefix !== 'string' || !prefixPattern.test(prefix)
    || !Number.isInteger(difficulty) || difficulty < 1 || difficulty > MAX_DIFFICULTY) {
    postMessage({ type: 'error', message: 'not a challenge' });
    return;
  }
  if (!self.crypto?.subtle) {
    postMessage({ type: 'error', message: 'WebCrypto is not available' });
    return;
  }
  solve(id, prefix, difficulty).catch((error) => {
    if (id === search) {
      postMessage({ type: 'error', message: String(error?.message ?? error) });
    }
  });
};
