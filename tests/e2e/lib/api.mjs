// Direct API calls, to check what the server stored independently of the page.
export async function login(base, name, password) {
  const response = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!response.ok) throw new Error(`login ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

export async function api(base, token, method, route, body) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the caller sees the text
  }
  return { status: response.status, json, text };
}

export async function getImage(base, token, id) {
  const answer = await api(base, token, 'GET', `/api/images/${id}`);
  if (answer.status !== 200) throw new Error(`GET image ${id}: ${answer.status} ${answer.text}`);
  return answer.json;
}

export async function categoryIds(base, token) {
  const answer = await api(base, token, 'GET', '/api/project');
  if (answer.status !== 200) throw new Error(`GET project: ${answer.status} ${answer.text}`);
  return Object.fromEntries(answer.json.categories.map((c) => [c.name, c]));
}
