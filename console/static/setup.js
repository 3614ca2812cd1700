// First run (SPEC §10): the page of the setup link deskgate prints while
// it has no admin. It creates the first admin with POST /api/v1/setup,
// keeps the session token where the console looks for it, and opens the
// console. Kept apart from app.js: it runs before any account exists.
const token = new URLSearchParams(location.search).get('token') || '';
const form = document.getElementById('setup');
const result = document.getElementById('result');
if (!token) document.getElementById('notoken').hidden = false;

form.addEventListener('submit', async e => {
  e.preventDefault();
  result.textContent = 'Creating…';
  result.className = '';
  const body = {
    token,
    email: document.getElementById('email').value,
    name: document.getElementById('name').value,
    password: document.getElementById('password').value,
  };
  try {
    const res = await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || `HTTP ${res.status}`);
    sessionStorage.setItem('dg_token', data.token);
    history.replaceState(null, '', '/');
    location.assign('/');
  } catch (err) {
    result.className = 'error';
    result.textContent = err.message;
  }
});
document.getElementById('email').focus();
