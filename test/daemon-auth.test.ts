import t from 'tap'
import { ConfigError } from '../common/errors.js'
import { assertSafeBinding, authenticate, generateToken, hashToken } from '../daemon/index.js'
import { jsonReq, startDaemon, tempConfig, tinyComposition } from './helpers/daemon-fixture.js'

t.test('tokens are stored as sha256 and matched in constant time', async (t) => {
  t.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  const { token, entry } = generateToken('ci', ['read'])
  t.not(entry.sha256, token)
  t.notMatch(JSON.stringify(entry), token, 'the config entry never holds the token')
  t.same(authenticate([entry], `Bearer ${token}`), { name: 'ci', scopes: ['read'] })
  t.equal(authenticate([entry], `Bearer ${token}x`), undefined)
  t.equal(authenticate([entry], token), undefined, 'needs the Bearer scheme')
  t.equal(authenticate([entry], undefined), undefined)
})

t.test('binding beyond loopback without tokens is refused at start', async (t) => {
  for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.5']) t.doesNotThrow(() => assertSafeBinding({ host, tokens: [] }), host)
  t.throws(() => assertSafeBinding({ host: '0.0.0.0', tokens: [] }), ConfigError)
  t.throws(() => assertSafeBinding({ host: '192.168.1.10', tokens: [] }), /refusing to listen on 192\.168\.1\.10 without API tokens/)
  t.doesNotThrow(() => assertSafeBinding({ host: '0.0.0.0', tokens: [generateToken('x', ['read']).entry] }))
  const { createDaemon } = await import('../daemon/index.js')
  const open = tempConfig({ host: '0.0.0.0' }, t)
  await t.rejects(createDaemon({ config: open, log: () => {} }), ConfigError)
})

t.test('scopes: read, replay, admin; health stays open', async (t) => {
  const reader = generateToken('reader', ['read'])
  const operator = generateToken('operator', ['read', 'replay'])
  const admin = generateToken('admin', ['admin'])
  const { app, ctx } = await startDaemon(t, { tokens: [reader.entry, operator.entry, admin.entry] })
  const as = (tok: string): Record<string, string> => ({ authorization: `Bearer ${tok}` })

  t.equal((await app.request('/v1/health')).status, 200, 'health needs no token')
  t.equal((await app.request('/v1/ready')).status, 200)
  const anon = await app.request('/v1/profiles')
  t.equal(anon.status, 401)
  t.equal(anon.headers.get('www-authenticate'), 'Bearer realm="edgemime"')
  t.equal((await app.request('/v1/profiles', { headers: as('wrong') })).status, 401)
  t.equal((await app.request('/v1/profiles', { headers: as(reader.token) })).status, 200)
  t.equal((await app.request('/v1/metrics', { headers: as(reader.token) })).status, 200)

  const upload = (tok: string) => app.request('/v1/compositions', jsonReq('POST', { id: `c-${tok.slice(3, 9).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, composition: tinyComposition() }, as(tok)))
  const denied = await upload(reader.token)
  t.equal(denied.status, 403)
  t.match(await denied.json(), { error: { code: 'EM_FORBIDDEN', message: /lacks the 'replay' scope/ } })
  t.equal((await upload(operator.token)).status, 201)
  const [stored] = await ctx.store.values(ctx.store.compositions)
  t.equal((await app.request(`/v1/compositions/${stored!.id}`, { method: 'DELETE', headers: as(operator.token) })).status, 403, 'delete needs admin')
  t.equal((await app.request(`/v1/compositions/${stored!.id}`, { method: 'DELETE', headers: as(admin.token) })).status, 204, 'admin implies every scope')
  t.equal((await app.request('/v1/replays', jsonReq('POST', { profile: 'cpu-burst' }, as(reader.token)))).status, 403)
})

t.test('a reload replaces the tokens at once', async (t) => {
  const d = await startDaemon(t)
  t.equal((await d.app.request('/v1/profiles')).status, 200, 'open without tokens (loopback)')
  const { token, entry } = generateToken('new', ['read'])
  await d.reload({ ...d.ctx.config(), tokens: [entry] })
  t.equal((await d.app.request('/v1/profiles')).status, 401)
  t.equal((await d.app.request('/v1/profiles', { headers: { authorization: `Bearer ${token}` } })).status, 200)
})
