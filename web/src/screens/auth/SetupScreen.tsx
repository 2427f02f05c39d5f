import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { toast } from 'sonner';
import { api, setCsrfToken, unwrap } from '../../api/client';
import { qk } from '../../api/queries';
import { Button, Field, Input } from '../../ui';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';
import s from './auth.module.css';

/** SetupScreen creates the first administrator with the one-time code the server printed. */
export function SetupScreen() {
  const { t } = useTranslation('auth');
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form, setForm] = useState({ token: params.get('token') ?? '', workspace: '', name: '', email: '', password: '' });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  const setup = useMutation({
    mutationFn: async () => {
      await unwrap(api.POST('/api/v1/setup', { body: form }));
      const r = await unwrap(api.POST('/api/v1/auth/login', { body: { email: form.email, password: form.password } }));
      setCsrfToken(r.csrf_token);
    },
    onSuccess: async () => {
      toast.success(t('setupDone'));
      await qc.invalidateQueries({ queryKey: qk.me });
      nav('/inbox/mine', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setup.mutate();
  };
  return (
    <main className={s.page}>
      <form className={s.card} onSubmit={submit} aria-labelledby="setup-title">
        <Brand />
        <h1 id="setup-title">{t('setupTitle')}</h1>
        <p className={s.intro}>{t('setupIntro')}</p>
        <Field label={t('setupToken')} htmlFor="setup-token">
          <Input id="setup-token" required value={form.token} onChange={set('token')} autoComplete="off" />
        </Field>
        <Field label={t('workspace')} htmlFor="setup-ws">
          <Input id="setup-ws" required value={form.workspace} onChange={set('workspace')} autoComplete="organization" />
        </Field>
        <Field label={t('name')} htmlFor="setup-name">
          <Input id="setup-name" value={form.name} onChange={set('name')} autoComplete="name" />
        </Field>
        <Field label={t('email')} htmlFor="setup-email">
          <Input id="setup-email" type="email" required value={form.email} onChange={set('email')} autoComplete="username" />
        </Field>
        <Field label={t('password')} htmlFor="setup-password">
          <Input id="setup-password" type="password" required minLength={8} value={form.password} onChange={set('password')} autoComplete="new-password" />
        </Field>
        <Button type="submit" variant="primary" busy={setup.isPending}>
          {t('createAdmin')}
        </Button>
        <div className={s.footer}>
          <span />
          <LanguageSwitch />
        </div>
      </form>
    </main>
  );
}
