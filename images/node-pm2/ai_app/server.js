'use strict';
// Stand-in for the AI service of seed 004: one file, deployed as releases/<id>/ beside a
// RELEASE file (its id) and, for drills, a BROKEN file:
//   BROKEN = "500"   every answer is a 500 (read per request: a drill can break a live
//                    release, as a bad release that passed its deploy checks surfaces later)
//   BROKEN = "exit"  the process exits at start (PM2 marks it errored)
//   BROKEN = "hang"  accepts connections and never answers (a deadlocked event loop's look)
//   BROKEN = "slow500" every answer is a 500, sent after 2 s (a dependency timing out)
// GET /actuator/health -> {"status": "UP"|"DOWN", "release": <id>}; GET / -> 200.
// On SIGINT it stops accepting, then exits after a short delay: PM2's cluster reload hands
// connections to workers until they are gone, and exiting at once drops some (see docs).
const http = require('http');
const fs = require('fs');
const path = require('path');

const read = (name) => {
  try { return fs.readFileSync(path.join(__dirname, name), 'utf8').trim(); } catch (e) { return ''; }
};
const release = read('RELEASE') || 'unknown';
if (read('BROKEN') === 'exit') {
  console.error(`release ${release} refuses to start`);
  process.exit(1);
}

const server = http.createServer((req, res) => {
  const url = req.url.split('?')[0];
  const broken = read('BROKEN');
  if (broken === 'hang') return;
  if (broken === 'slow500') {
    setTimeout(() => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-release': release });
      res.end(JSON.stringify({ status: 'DOWN', release, pid: process.pid }));
    }, 2000);
    return;
  }
  if (url === '/actuator/health' || url === '/health') {
    const up = broken !== '500';
    res.writeHead(up ? 200 : 500, { 'content-type': 'application/json', 'x-release': release });
    res.end(JSON.stringify({ status: up ? 'UP' : 'DOWN', release, pid: process.pid }));
  } else if (url === '/') {
    res.writeHead(broken === '500' ? 500 : 200, { 'content-type': 'text/plain', 'x-release': release });
    res.end(`ai-service ${release}\n`);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
});
server.keepAliveTimeout = 1000;
server.listen(Number(process.env.PORT || 18090), '127.0.0.1', () => {
  if (process.send) process.send('ready');
});
process.on('SIGINT', () => {
  server.close();
  setTimeout(() => process.exit(0), 500);
});
