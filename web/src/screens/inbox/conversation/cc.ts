// The Cc of an e-mail reply ("copiar para terceiros", seed 002): addresses
// typed separated by commas, semicolons or spaces.

const address = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** parseCc splits what was typed into distinct addresses (lower-cased) and the parts that are not addresses. */
export function parseCc(text: string): { addresses: string[]; invalid: string[] } {
  const addresses: string[] = [];
  const invalid: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    if (!part) continue;
    const a = part.replace(/^<|>$/g, '').toLowerCase();
    if (!address.test(a)) invalid.push(part);
    else if (!addresses.includes(a)) addresses.push(a);
  }
  return { addresses, invalid };
}
