// The website widget channel (DESIGN M5): the settings fields of the channel
// dialog, the installation snippet with a copy button, and the identity
// verification help. The settings travel whole on every save (the server
// replaces them), see widgetLogic.ts.
import { Check, Copy, MessageCircle } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import type { Department } from '../../api/client';
import { Button, Field, Input, Select, Textarea, uiStyles } from '../../ui';
import { CopyButton, copyText } from './parts';
import { colourCheck, identityExample, prechatFieldNames, strictHex, toggleId, widgetLimits, type WidgetErrorField, type WidgetErrorKey, type WidgetForm } from './widgetLogic';
import s from './settings.module.css';

/** Toggle is a labelled checkbox with a test id (the kit's Checkbox has none). */
function Toggle({ label, checked, onChange, disabled, testid }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; testid?: string }) {
  return (
    <label className={uiStyles.checkbox}>
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testid} />
      {label}
    </label>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className={s.fieldset}>
      <legend className={s.panelTitle}>{title}</legend>
      <div className={s.stack}>{children}</div>
    </fieldset>
  );
}

export function WidgetFields({
  form,
  onChange,
  departments,
  errors,
  invalidOrigins,
  tried,
}: {
  form: WidgetForm;
  onChange: (f: WidgetForm) => void;
  departments: Department[];
  errors: Partial<Record<WidgetErrorField, WidgetErrorKey>>;
  invalidOrigins: string[];
  tried: boolean;
}) {
  const { t } = useTranslation('settings');
  const set = <K extends keyof WidgetForm>(k: K, v: WidgetForm[K]) => onChange({ ...form, [k]: v });
  const hex = strictHex(form.color);
  const check = colourCheck(form.color);
  const err = (k: WidgetErrorField) => {
    const e = errors[k];
    if (!e || (!tried && e !== 'hex' && e !== 'textLong')) return undefined;
    if (e === 'origins') return t('channels.widget.errors.origins', { list: invalidOrigins.join(', ') });
    return t(`channels.widget.errors.${e}`, { max: e === 'tooManyOrigins' ? widgetLimits.origins : widgetLimits.text });
  };
  const text = (k: 'greetingPt' | 'greetingEn' | 'offlinePt' | 'offlineEn', testid: string) => (
    <Field label={t(`channels.widget.${k}`)} htmlFor={`widget-${k}`} error={err(k)}>
      <Textarea id={`widget-${k}`} rows={2} value={form[k]} onChange={(e) => set(k, e.target.value)} data-testid={testid} />
    </Field>
  );

  return (
    <>
      <Group title={t('channels.widget.appearance')}>
        <Field label={t('channels.widget.color')} htmlFor="widget-color-hex" error={err('color')}>
          <div className={s.inputRow}>
            <input
              type="color"
              className={s.colorInput}
              value={hex ?? '#2256c9'}
              aria-label={t('channels.widget.colorPicker')}
              onChange={(e) => set('color', e.target.value.toLowerCase())}
              data-testid="widget-color"
            />
            <Input
              id="widget-color-hex"
              className={`${s.mono} ${s.hexInput}`}
              value={form.color}
              maxLength={7}
              aria-invalid={!hex}
              onChange={(e) => set('color', e.target.value)}
              onBlur={() => hex && set('color', hex)}
              data-testid="widget-color-hex"
            />
          </div>
        </Field>
        {check && hex && (
          <div className={s.previewRow} data-testid="widget-preview">
            <span className={s.widgetLauncher} style={{ background: hex, color: check.text }} aria-hidden>
              <MessageCircle size={20} />
            </span>
            <span className={s.widgetHeaderPreview} style={{ background: hex, color: check.text }}>
              {t('channels.widget.previewTitle')}
            </span>
            <span className={`${s.small} ${check.aa ? s.muted : s.warningText}`} data-testid="widget-contrast">
              {t(check.aa ? 'channels.widget.contrastOk' : 'channels.widget.contrastLow', { ratio: check.ratio.toFixed(1) })}
            </span>
          </div>
        )}
        {check && !check.visibleOnWhite && <p className={s.warningText}>{t('channels.widget.lightColor')}</p>}
        <div className={s.formGrid}>
          <fieldset className={s.fieldset}>
            <legend className={s.legend}>{t('channels.widget.position')}</legend>
            <div className={s.segmented} role="radiogroup" aria-label={t('channels.widget.position')}>
              {(['right', 'left'] as const).map((p) => (
                <button key={p} type="button" role="radio" aria-checked={form.position === p} className={s.segment} onClick={() => set('position', p)} data-testid={`widget-position-${p}`}>
                  {t(`channels.widget.positions.${p}`)}
                </button>
              ))}
            </div>
          </fieldset>
          <Field label={t('channels.widget.language')} htmlFor="widget-language">
            <Select id="widget-language" value={form.language} onChange={(e) => set('language', e.target.value as WidgetForm['language'])} data-testid="widget-language">
              <option value="auto">{t('channels.widget.languages.auto')}</option>
              <option value="pt-BR">{t('channels.widget.languages.ptBR')}</option>
              <option value="en">{t('channels.widget.languages.en')}</option>
            </Select>
          </Field>
        </div>
      </Group>

      <Group title={t('channels.widget.messages')}>
        {text('greetingPt', 'widget-greeting-pt')}
        {text('greetingEn', 'widget-greeting-en')}
        {text('offlinePt', 'widget-offline-pt')}
        {text('offlineEn', 'widget-offline-en')}
        <p className={s.hint}>{t('channels.widget.offlineHint')}</p>
      </Group>

      <Group title={t('channels.widget.prechat')}>
        <Toggle label={t('channels.widget.prechatEnabled')} checked={form.prechatEnabled} onChange={(v) => set('prechatEnabled', v)} testid="widget-prechat" />
        {form.prechatEnabled && (
          <>
            <div className={s.stackSm} role="group" aria-label={t('channels.widget.prechatFields')}>
              <span className={s.legend}>{t('channels.widget.prechatFields')}</span>
              {prechatFieldNames.map((n) => (
                <div key={n} className={s.inputRow}>
                  <Toggle
                    label={t(`channels.widget.fields.${n}`)}
                    checked={form.fields[n].on}
                    onChange={(on) => set('fields', { ...form.fields, [n]: { on, required: on && form.fields[n].required } })}
                    testid={`widget-field-${n}`}
                  />
                  <span className={s.spacer} />
                  <Toggle
                    label={t('channels.widget.required')}
                    checked={form.fields[n].required}
                    disabled={!form.fields[n].on}
                    onChange={(required) => set('fields', { ...form.fields, [n]: { ...form.fields[n], required } })}
                    testid={`widget-field-${n}-required`}
                  />
                </div>
              ))}
            </div>
            {departments.length > 0 && (
              <div className={s.stackSm}>
                <span className={s.legend} id="widget-departments-label">
                  {t('channels.widget.prechatDepartments')}
                </span>
                <div className={s.checkGrid} role="group" aria-labelledby="widget-departments-label" data-testid="widget-departments">
                  {departments.map((d) => (
                    <Toggle
                      key={d.id}
                      label={d.name}
                      checked={form.prechatDepartmentIds.includes(d.id)}
                      onChange={(on) => set('prechatDepartmentIds', toggleId(form.prechatDepartmentIds, d.id, on))}
                      testid={`widget-department-${d.id}`}
                    />
                  ))}
                </div>
                <span className={s.hint}>{t('channels.widget.prechatDepartmentsHint')}</span>
              </div>
            )}
          </>
        )}
      </Group>

      <Group title={t('channels.widget.security')}>
        <Field label={t('channels.widget.origins')} htmlFor="widget-origins" hint={t('channels.widget.originsHint')} error={err('origins')}>
          <Textarea
            id="widget-origins"
            rows={3}
            className={s.mono}
            value={form.origins}
            onChange={(e) => set('origins', e.target.value)}
            placeholder={'https://www.example.com\nhttps://shop.example.com'}
            spellCheck={false}
            data-testid="widget-origins"
          />
        </Field>
        <Toggle label={t('channels.widget.requireIdentity')} checked={form.requireIdentity} onChange={(v) => set('requireIdentity', v)} testid="widget-require-identity" />
        <p className={s.hint}>{t('channels.widget.requireIdentityHint')}</p>
      </Group>
    </>
  );
}

/** WidgetSnippet is the read-only installation code with a "Copy code" button. */
export function WidgetSnippet({ snippet }: { snippet: string }) {
  const { t } = useTranslation('settings');
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const id = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(id);
  }, [done]);
  return (
    <div className={s.stackSm}>
      <span className={s.copyLabel}>{t('channels.widget.snippet')}</span>
      <span className={s.hint}>{t('channels.widget.snippetHint')}</span>
      <div className={`${s.codeBlock} ${s.wrapCode}`}>
        <pre tabIndex={0} aria-label={t('channels.widget.snippet')} data-testid="widget-snippet">
          <code>{snippet}</code>
        </pre>
      </div>
      <Button
        className={s.alignStart}
        onClick={async () => {
          if (await copyText(snippet)) {
            setDone(true);
            toast.success(t('channels.widget.copied'));
          }
        }}
        data-testid="widget-copy"
      >
        {done ? <Check size={16} aria-hidden /> : <Copy size={16} aria-hidden />} {t('channels.widget.copyCode')}
      </Button>
    </div>
  );
}

/** IdentityHelp explains identity verification, with server-side sample code. */
export function IdentityHelp({ snippet }: { snippet: string }) {
  const { t } = useTranslation('settings');
  const code = identityExample(snippet);
  return (
    <div className={s.stackSm}>
      <span className={s.copyLabel}>{t('channels.widget.identityTitle')}</span>
      <p className={s.panelText}>{t('channels.widget.identityHelp')}</p>
      <div className={`${s.codeBlock} ${s.wrapCode}`}>
        <pre tabIndex={0} aria-label={t('channels.widget.identityExample')}>
          <code>{code}</code>
        </pre>
        <span className={s.codeCopy}>
          <CopyButton value={code} />
        </span>
      </div>
    </div>
  );
}
