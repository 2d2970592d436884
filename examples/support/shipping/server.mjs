// The carrier's tracking service the example's passthrough tool is bound to: a small loopback
// endpoint (the example's run.sh starts it). An unknown order answers 404, which gauntlet
// records as a transport_error row: the passthrough hop failed.
import { createServer } from 'node:http';

const SHIPMENTS = {
  4521: { shipment_id: 'SHP-88123', carrier: 'DHL', status: 'in_transit', eta: '2026-11-26' },
};
const port = Number(process.env.SHIPPING_PORT ?? 8931);

createServer((req, res) => {
  const reply = (status, body) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.method === 'GET' && req.url === '/health') return reply(200, { ok: true });
  if (req.method !== 'POST' || req.url !== '/track') return reply(404, { error: 'no such route' });
  if (req.headers.authorization !== `Bearer ${process.env.SHIPPING_TOKEN ?? 'dev-token'}`)
    return reply(401, { error: 'bad token' });
  let body = '';
  req.on('data', (c) => (body += c)).on('end', () => {
    let orderId;
    try {
      orderId = String(JSON.parse(body).order_id);
    } catch {
      return reply(400, { error: 'send {"order_id": "..."}' });
    }
    const s = SHIPMENTS[orderId];
    if (!s) return reply(404, { error: `no shipment for order ${orderId}` });
    reply(200, { order_id: orderId, ...s });
  });
}).listen(port, '127.0.0.1', () => console.log(`shipping: listening on 127.0.0.1:${port}`));
