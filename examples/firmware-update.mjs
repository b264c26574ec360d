// @ts-check
// A vapi-auth plugin: a simulated host firmware update that runs as a CIS task, with steps,
// progress, a point of no return, and clean cancel. Load it with:
//   vapi-auth serve --plugin ./examples/firmware-update.mjs
import { setTimeout as sleep } from 'node:timers/promises';
import { message, operationInput, SCHEMES, t, VapiError } from 'vapi-auth';

const applyResult = t.struct('com.example.firmware.apply_result', {
  host: t.id('HostSystem'),
  previous_version: t.string,
  version: t.string,
  rebooted_at: t.datetime,
});

/** Installed versions, per host; a real service would ask the hosts. */
const installed = new Map([['host-1', '1.0.0'], ['host-2', '1.0.0']]);

const STEPS = [
  { id: 'download', text: 'Downloading firmware', until: 40 },
  { id: 'verify', text: 'Verifying the image signature', until: 60 },
  { id: 'flash', text: 'Writing the image to flash', until: 95 },
  { id: 'reboot', text: 'Rebooting the host', until: 100 },
];

/** @type {import('vapi-auth').ServiceDefinition} */
const firmware = {
  id: 'com.example.firmware',
  schemes: [SCHEMES.sessionId],
  operations: [
    {
      id: 'apply',
      input: operationInput({ host: t.id('HostSystem'), version: t.string, step_ms: t.optional(t.long) }),
      output: applyResult,
      errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CANCELED'],
      // Only callers whose role grants this privilege may flash firmware (see README: FirmwareOperator).
      privileges: ['Host.Config.Firmware'],
      task: 'task',
      cancelable: true,
      description: message('com.example.firmware.apply', 'Apply host firmware'),
      taskTarget: (input) => ({ type: 'HostSystem', id: String(input.host) }),
      api: { method: 'POST', path: '/example/firmware/{host}', action: 'apply' },
      /** @param {{ host: string, version: string, step_ms?: number }} input */
      handler: async (input, { task, clock }) => {
        const previous = installed.get(input.host);
        if (previous === undefined) {
          throw new VapiError('NOT_FOUND', [message('com.example.firmware.host.not_found', `Host ${input.host} was not found.`, [input.host])]);
        }
        if (!/^\d+\.\d+\.\d+$/.test(input.version)) {
          throw new VapiError('INVALID_ARGUMENT', [message('com.example.firmware.version.invalid', 'version must look like 1.2.3.', ['version'])]);
        }
        const stepMs = input.step_ms ?? 2000;
        for (const step of STEPS) {
          // Past this point the flash is under way: a cancel would brick the host.
          if (step.id === 'flash') await task?.setCancelable(false);
          await task?.progress({ total: 100, message: message(`com.example.firmware.${step.id}`, step.text) });
          await sleep(stepMs, undefined, { signal: task?.signal });
          await task?.progress({ completed: step.until });
        }
        installed.set(input.host, input.version);
        return { host: input.host, previous_version: previous, version: input.version, rebooted_at: new Date(clock.now()) };
      },
    },
  ],
};

export default firmware;
