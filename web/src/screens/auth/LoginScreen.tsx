import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, setCsrfToken, unwrap } from '../../api/client';
import { qk } from '../../api/queries';
import { Button, Field, Input } from '../../ui';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';
import s from './auth.module.css';

export function LoginScreen() {
  const { t } = useTranslation('auth');
  const qc = useQueryClient();
  const nav = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => unwrap(api.GET('/api/v1/setup')), meta: { silent: true } });
  const login = useMutation({
    meta: { silent: true },
    mutationFn: () => unwrap(api.POST('/api/v1/auth/login', { body: { email, password } })),
    onSuccess: async (r) => {
      setCsrfToken(r.csrf_token);
      await qc.invalidateQueries({ queryKey: qk.me });
      const next = params.get('next');
      nav(next && next.startsWith('/') && !next.startsWith('//') ? next : '/inbox/mine', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const error = login.error instanceof ApiError ? (login.error.status === 401 ? t('badLogin') : login.error.message) : login.error ? String(login.error) : '';
  return (
    <main className={s.page}>
      <form className={s.card} onSubmit={submit} aria-labelledby="login-title">
        <Brand />
        <h1 id="login-title">{t('loginTitle')}</h1>
        <Field label={t('email')} htmlFor="login-email">
          <Input id="login-email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label={t('password')} htmlFor="login-password" error={error || undefined}>
          <Input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Button type="submit" variant="primary" busy={login.isPending}>
          {login.isPending ? t('loggingIn') : t('login')}
        </Button>
        <div className={s.footer}>
          {setup.data?.needs_setup ? <Link to="/setup">{t('goToSetup')}</Link> : <span />}
          <LanguageSwitch />
        </div>
      </form>
    </main>
  );
}
