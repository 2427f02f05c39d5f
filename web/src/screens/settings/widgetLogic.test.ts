import { describe, expect, it } from 'vitest';
import {
  colourCheck,
  defaultWidgetForm,
  identityExample,
  normaliseOrigin,
  parseOrigins,
  strictHex,
  toggleId,
  validateWidget,
  widgetForm,
  type WidgetForm,
  type WidgetView,
} from './widgetLogic';

describe('strictHex', () => {
  const cases: [string, string | null][] = [
    ['#2256c9', '#2256c9'],
    ['#2256C9', '#2256c9'],
    [' #abcdef ', '#abcdef'],
    ['2256c9', null],
    ['#abc', null],
    ['#2256c', null],
    ['#2256c9f', null],
    ['#gggggg', null],
    ['', null],
  ];
  it.each(cases)('%j → %j', (v, want) => expect(strictHex(v)).toBe(want));
});

describe('normaliseOrigin', () => {
  const cases: [string, string | null][] = [
    ['https://www.example.com', 'https://www.example.com'],
    ['https://www.example.com/', 'https://www.example.com'],
    ['  HTTPS://Shop.Example.COM  ', 'https://shop.example.com'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['https://example.com:443', 'https://example.com'],
    ['https://example.com/page', null],
    ['https://example.com/?a=1', null],
    ['https://example.com?', null],
    ['https://example.com#top', null],
    ['https://user:pw@example.com', null],
    ['ftp://example.com', null],
    ['www.example.com', null],
    ['https:example.com', null],
    ['javascript:alert(1)', null],
    ['https://', null],
    ['', null],
  ];
  it.each(cases)('%j → %j', (v, want) => expect(normaliseOrigin(v)).toBe(want));
});

describe('parseOrigins', () => {
  it('reads one site per line, skips blanks and repeats, and lists the bad lines', () => {
    expect(parseOrigins('https://a.example.com\n\n  https://A.example.com/ \r\nexample.org\nhttps://b.example.com/path\nhttp://localhost:3000')).toEqual({
      origins: ['https://a.example.com', 'http://localhost:3000'],
      invalid: ['example.org', 'https://b.example.com/path'],
    });
  });
  it('accepts commas too', () => expect(parseOrigins('https://a.com, https://b.com').origins).toEqual(['https://a.com', 'https://b.com']));
  it('is empty for an empty box', () => expect(parseOrigins('  \n ')).toEqual({ origins: [], invalid: [] }));
});

describe('validateWidget', () => {
  it('maps the default form to the server defaults', () => {
    const { settings, errors } = validateWidget(defaultWidgetForm());
    expect(errors).toEqual({});
    expect(settings).toMatchObject({
      color: '#2256c9',
      position: 'right',
      language: 'auto',
      prechat_enabled: false,
      prechat_fields: [
        { name: 'name', required: true },
        { name: 'email', required: false },
      ],
      prechat_department_ids: [],
      allowed_origins: [],
      require_identity: false,
    });
  });

  it('builds the whole settings body, fields in the widget order', () => {
    const f: WidgetForm = {
      ...defaultWidgetForm(),
      color: '#AA0000 ',
      position: 'left',
      language: 'pt-BR',
      greetingPt: '  Oi!  ',
      greetingEn: 'Hi',
      offlinePt: 'Fora',
      offlineEn: 'Away',
      prechatEnabled: true,
      fields: { phone: { on: true, required: true }, name: { on: false, required: false }, email: { on: true, required: true } },
      prechatDepartmentIds: [3, 1],
      origins: 'https://Example.com\nhttps://example.com/',
      requireIdentity: true,
    };
    expect(validateWidget(f).settings).toEqual({
      color: '#aa0000',
      position: 'left',
      language: 'pt-BR',
      greeting_pt: 'Oi!',
      greeting_en: 'Hi',
      offline_message_pt: 'Fora',
      offline_message_en: 'Away',
      prechat_enabled: true,
      prechat_fields: [
        { name: 'email', required: true },
        { name: 'phone', required: true },
      ],
      prechat_department_ids: [3, 1],
      allowed_origins: ['https://example.com'],
      require_identity: true,
    });
  });

  it('reports each bad field and no body', () => {
    const r = validateWidget({ ...defaultWidgetForm(), color: 'blue', greetingEn: 'x'.repeat(501), origins: 'https://ok.com\nnot a site' });
    expect(r.settings).toBeUndefined();
    expect(r.errors).toEqual({ color: 'hex', greetingEn: 'textLong', origins: 'origins' });
    expect(r.invalidOrigins).toEqual(['not a site']);
  });

  it('counts characters, not UTF-16 units, and trims before counting', () => {
    expect(validateWidget({ ...defaultWidgetForm(), offlinePt: '👋'.repeat(500) }).errors).toEqual({});
    expect(validateWidget({ ...defaultWidgetForm(), offlinePt: `  ${'a'.repeat(500)}  ` }).errors).toEqual({});
    expect(validateWidget({ ...defaultWidgetForm(), offlinePt: 'a'.repeat(501) }).errors).toEqual({ offlinePt: 'textLong' });
  });

  it('allows at most 20 sites', () => {
    const sites = (n: number) => Array.from({ length: n }, (_, i) => `https://s${i}.example.com`).join('\n');
    expect(validateWidget({ ...defaultWidgetForm(), origins: sites(20) }).errors).toEqual({});
    expect(validateWidget({ ...defaultWidgetForm(), origins: sites(21) }).errors).toEqual({ origins: 'tooManyOrigins' });
  });
});

describe('widgetForm', () => {
  const view: WidgetView = {
    color: '#137a3a',
    position: 'left',
    language: 'en',
    greeting_pt: 'Olá',
    greeting_en: 'Hello',
    prechat_enabled: true,
    prechat_fields: [
      { name: 'phone', required: true },
      { name: 'name', required: false },
    ],
    prechat_department_ids: [2],
    offline_message_pt: 'Ausente',
    offline_message_en: 'Away',
    allowed_origins: ['https://a.com', 'https://b.com'],
    require_identity: true,
    key: 'wk_1',
    snippet: '<script src="https://atende.example/widget.js" data-atende-key="wk_1" async></script>',
  };

  it('fills the form from the channel', () => {
    const f = widgetForm(view);
    expect(f.fields).toEqual({ name: { on: true, required: false }, email: { on: false, required: false }, phone: { on: true, required: true } });
    expect(f.origins).toBe('https://a.com\nhttps://b.com');
    expect(f.prechatDepartmentIds).toEqual([2]);
  });

  it('round-trips through the PATCH body', () => {
    const { settings } = validateWidget(widgetForm(view));
    const { key: _k, snippet: _s, ...want } = view;
    expect(settings).toEqual({ ...want, prechat_fields: [view.prechat_fields[1], view.prechat_fields[0]] });
  });

  it('does not share arrays with the channel', () => {
    const f = widgetForm(view);
    f.prechatDepartmentIds.push(9);
    expect(view.prechat_department_ids).toEqual([2]);
  });
});

describe('colourCheck', () => {
  it('picks white text on a dark colour and passes AA', () => {
    const c = colourCheck('#2256c9')!;
    expect(c.text).toBe('#ffffff');
    expect(c.aa).toBe(true);
    expect(c.ratio).toBeGreaterThan(4.5);
    expect(c.visibleOnWhite).toBe(true);
  });
  it('picks dark text on a light colour and warns that it hides on white pages', () => {
    const c = colourCheck('#fde68a')!;
    expect(c.text).toBe('#000000');
    expect(c.aa).toBe(true);
    expect(c.visibleOnWhite).toBe(false);
  });
  it('always reaches AA with the better of black and white, and finds the greys that hide on white', () => {
    const hidden: string[] = [];
    for (let v = 0; v < 256; v += 5) {
      const h = v.toString(16).padStart(2, '0');
      const c = colourCheck(`#${h}${h}${h}`)!;
      expect(c.aa, h).toBe(true);
      expect(c.ratio).toBeGreaterThanOrEqual(4.5);
      if (!c.visibleOnWhite) hidden.push(h);
    }
    expect(hidden[0]).toBe('96'); // #969696 is the first grey under 3:1 on white
  });
  it('is null for a colour being typed', () => expect(colourCheck('#22')).toBeNull());
});

describe('toggleId', () => {
  it('adds once and removes', () => {
    expect(toggleId([1, 2], 3, true)).toEqual([1, 2, 3]);
    expect(toggleId([1, 2], 2, true)).toEqual([1, 2]);
    expect(toggleId([1, 2], 1, false)).toEqual([2]);
  });
});

describe('identityExample', () => {
  it('adds the id and hash attributes to the snippet', () => {
    const code = identityExample('<script src="https://x/widget.js" data-atende-key="k" async></script>');
    expect(code).toContain('<script src="https://x/widget.js" data-atende-key="k" data-atende-user-id="USER_ID" data-atende-user-hash="USER_HASH" async></script>');
    expect(code).toContain("createHmac('sha256'");
  });
  it('works on a snippet without async', () => {
    expect(identityExample('<script src="https://x/widget.js" data-atende-key="k"></script>')).toContain('data-atende-key="k" data-atende-user-id="USER_ID" data-atende-user-hash="USER_HASH"></script>');
  });
});
