// Runs the Resend emulator in its own process, so a benchmark's client and server do not share one
// JavaScript thread (the real provider is not on our CPU either). Options come as JSON in argv[2];
// the URL is printed on stdout; GET /__stats reports counts.
import { startResendEmulator } from '../tests/support/resend-emulator.ts';

const emu = await startResendEmulator({ keepBodies: false, ...JSON.parse(process.argv[2] ?? '{}') });
process.stdout.write(`${emu.url}\n`);
process.on('SIGTERM', () => void emu.close().then(() => process.exit(0)));
