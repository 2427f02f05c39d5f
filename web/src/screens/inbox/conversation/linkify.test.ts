import { describe, expect, it } from 'vitest';
import { linkify, type TextPart } from './linkify';

const t = (text: string): TextPart => ({ type: 'text', text });
const l = (href: string): TextPart => ({ type: 'link', text: href, href });

describe('linkify', () => {
  const cases: [string, TextPart[]][] = [
    ['', []],
    ['hello', [t('hello')]],
    ['see https://atende.app/x', [t('see '), l('https://atende.app/x')]],
    ['https://a.com and http://b.org/p?q=1#f', [l('https://a.com'), t(' and '), l('http://b.org/p?q=1#f')]],
    ['Go to https://a.com.', [t('Go to '), l('https://a.com'), t('.')]],
    ['(https://a.com/x)', [t('('), l('https://a.com/x'), t(')')]],
    ['https://en.wikipedia.org/wiki/Foo_(bar)', [l('https://en.wikipedia.org/wiki/Foo_(bar)')]],
    ['link: https://a.com/?a=1, next', [t('link: '), l('https://a.com/?a=1'), t(', next')]],
    ['<script>alert(1)</script>', [t('<script>alert(1)</script>')]],
    ['javascript:alert(1) ftp://x.com', [t('javascript:alert(1) ftp://x.com')]],
    ['<a href="https://evil.com">x</a>', [t('<a href="'), l('https://evil.com'), t('">x</a>')]],
    ['http:// nothing', [t('http:// nothing')]],
    ['line1\nhttps://a.com\nline3', [t('line1\n'), l('https://a.com'), t('\nline3')]],
    ['HTTPS://A.COM/UP', [l('HTTPS://A.COM/UP')]],
  ];
  it.each(cases)('%j', (input, want) => {
    expect(linkify(input)).toEqual(want);
    expect(linkify(input).map((p) => p.text).join('')).toBe(input);
  });
});
