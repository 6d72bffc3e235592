// Council IT installs Doorstep from the .deb or .rpm that `tauri build` makes.
// These checks read the real packages, as dpkg and rpm will on a council laptop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundleDir = process.env.DOORSTEP_BUNDLE_DIR ?? join(root, 'target', 'debug', 'bundle');
const version = readFileSync(join(root, 'Cargo.toml'), 'utf8')
  .match(/\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/)[1];
const run = (command, args) => execFileSync(command, args, { encoding: 'utf8' });

function bundle(kind, name) {
  const path = join(bundleDir, kind, name);
  assert.ok(existsSync(path),
    `${path} is missing; found ${existsSync(join(bundleDir, kind)) ? readdirSync(join(bundleDir, kind)).join(', ') : 'no folder'}. ` +
    'Run `tauri build --debug --bundles deb,rpm` first (scripts/test.sh does).');
  return path;
}

test('the .deb names Doorstep, carries this version and depends on WebKitGTK 4.1', () => {
  const deb = bundle('deb', `Doorstep_${version}_amd64.deb`);
  const field = (name) => run('dpkg-deb', ['-f', deb, name]).trim();
  assert.equal(field('Package'), 'doorstep');
  assert.equal(field('Version'), version);
  assert.equal(field('Architecture'), 'amd64');
  const depends = field('Depends').split(',').map((d) => d.trim());
  assert.ok(depends.includes('libwebkit2gtk-4.1-0'), `Depends: ${depends}`);
  assert.ok(depends.includes('libgtk-3-0'), `Depends: ${depends}`);
  // The encrypted device store links OpenSSL's libcrypto (SQLCipher).
  assert.ok(depends.includes('libssl3'), `Depends: ${depends}`);
  // The database key lives in the Secret Service; GNOME Keyring provides one.
  assert.match(field('Recommends'), /gnome-keyring/);
  assert.match(run('dpkg-deb', ['-I', deb]), /Description: Offline-first casework/);
});

test('the .deb installs the app, a desktop entry and icons', () => {
  const deb = bundle('deb', `Doorstep_${version}_amd64.deb`);
  const files = run('dpkg-deb', ['-c', deb]);
  assert.match(files, / (\.\/)?usr\/bin\/doorstep-app$/m);
  assert.match(files, / (\.\/)?usr\/share\/applications\/Doorstep\.desktop$/m);
  assert.match(files, / (\.\/)?usr\/share\/icons\/hicolor\/128x128\/apps\/doorstep-app\.png$/m);
  const desktop = execFileSync('sh', ['-c',
    `dpkg-deb --fsys-tarfile "${deb}" | tar -xO --wildcards '*usr/share/applications/Doorstep.desktop'`],
  { encoding: 'utf8' });
  assert.match(desktop, /^Name=Doorstep$/m);
  assert.match(desktop, /^Exec=doorstep-app$/m);
  assert.match(desktop, /^Icon=doorstep-app$/m);
});

test('the .rpm names Doorstep, carries this version and requires WebKitGTK 4.1', () => {
  const rpm = bundle('rpm', `Doorstep-${version}-1.x86_64.rpm`);
  const query = (format) => run('rpm', ['-qp', '--queryformat', format, rpm]);
  assert.equal(query('%{NAME}'), 'doorstep');
  assert.equal(query('%{VERSION}'), version);
  assert.equal(query('%{ARCH}'), 'x86_64');
  assert.match(run('rpm', ['-qip', rpm]), /Summary\s*: Offline-first casework/);
  const requires = run('rpm', ['-qpR', rpm]);
  assert.match(requires, /^libwebkit2gtk-4\.1\.so\.0\(\)\(64bit\)$/m);
  assert.match(requires, /^libgtk-3\.so\.0\(\)\(64bit\)$/m);
  assert.match(requires, /^openssl-libs$/m);
  assert.match(run('rpm', ['-qpl', rpm]), /^\/usr\/bin\/doorstep-app$/m);
});
