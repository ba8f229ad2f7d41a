/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) with base32 secrets, on Web Crypto. */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

export const base32Encode = (bytes: Uint8Array): string => {
  let out = ""
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

export const base32Decode = (text: string): Uint8Array<ArrayBuffer> => {
  const clean = text.replace(/=+$/, "").toUpperCase()
  const out: Array<number> = []
  let bits = 0
  let value = 0
  for (const char of clean) {
    const index = alphabet.indexOf(char)
    if (index === -1) throw new Error("not base32")
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return new Uint8Array(out)
}

/** The code of `secret` (base32) for the 30-second step that holds `timeMillis`. */
export const totp = async (secret: string, timeMillis: number): Promise<string> => {
  const key = await crypto.subtle.importKey("raw", base32Decode(secret), { name: "HMAC", hash: "SHA-1" }, false, [
    "sign"
  ])
  const counter = Math.floor(timeMillis / 30_000)
  const message = new Uint8Array(8)
  new DataView(message.buffer).setBigUint64(0, BigInt(counter))
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message))
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!
  return String(binary % 1_000_000).padStart(6, "0")
}
