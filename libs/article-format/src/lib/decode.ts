import { rejection } from './rejection';
import type { Rejection } from './types';

export type DecodeResult = { ok: true; text: string } | { ok: false; rejection: Rejection };

/**
 * Above this share of control characters the input is treated as binary. Real articles have none or a
 * stray one (a pasted ESC, a DOS end-of-file mark); binary data that happens to be valid UTF-8 has many.
 */
const MAX_CONTROL_SHARE = 0.1;

/** Decodes UTF-8 strictly: guessing another encoding would silently corrupt names and quotes. */
export function decodeUtf8(content: Uint8Array): DecodeResult {
  if (startsWithUtf16Bom(content)) {
    return notText('The content is UTF-16 encoded; only UTF-8 text is accepted.');
  }
  let text: string;
  try {
    // The default `ignoreBOM: false` strips one leading UTF-8 BOM.
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return notText('The content is not valid UTF-8 text.');
  }
  return checkLooksLikeText(text);
}

function checkLooksLikeText(text: string): DecodeResult {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) {
      return notText('The content contains NUL bytes, so it looks like a binary file rather than text.');
    }
    if (isControl(unit)) controls++;
  }
  if (text.length > 0 && controls / text.length > MAX_CONTROL_SHARE) {
    const percent = Math.round((controls / text.length) * 100);
    return notText(
      `The content is ${percent}% control characters (${controls} of ${text.length}), so it looks like a binary file rather than text.`,
    );
  }
  return { ok: true, text };
}

/** C0/C1 controls other than the whitespace ones (tab, LF, VT, FF, CR) that plain text legitimately uses. */
function isControl(unit: number): boolean {
  return (unit < 0x20 && (unit < 0x09 || unit > 0x0d)) || (unit >= 0x7f && unit <= 0x9f);
}

function startsWithUtf16Bom(content: Uint8Array): boolean {
  return (
    content.length >= 2 &&
    ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff))
  );
}

function notText(message: string): DecodeResult {
  return { ok: false, rejection: rejection('NOT_TEXT', message) };
}
