import { setup } from 'xstate';
import { XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { StanzaParseError, replyResult } from '../iq-request.js';
import { buildVersion, buildVersionRequest, parseVersion } from './version.codec.js';
import type { SoftwareVersion, VersionContext, VersionEvent } from './version.types.js';

/** Asks `jid` which software it runs. Backs `client.softwareVersion(jid)`. */
export async function softwareVersion(
  services: Pick<FeatureServices, 'iq'>,
  jid: string,
  options?: IqRequestOptions,
): Promise<SoftwareVersion> {
  const reply = await services.iq.request(buildVersionRequest(jid), options);
  const software = parseVersion(reply);
  if (software instanceof StanzaParseError)
    throw new XmppAdapterError('bad-reply', `malformed software version from ${jid}: ${software.reason}`);
  return software;
}

function softwareOf(input: FeatureInput): SoftwareVersion {
  const { name, version, os } = input.software;
  return os === undefined ? { name, version } : { name, version, os };
}

/** The version actor: answers with `input.software`. */
export function createVersionLogic(services: FeatureServices) {
  return setup({
    types: {
      context: {} as VersionContext,
      events: {} as VersionEvent,
      input: {} as FeatureInput,
    },
    actions: {
      answerVersion: ({ context, event }) => {
        if (event.type !== 'version.request') return;
        services.send(replyResult(event, buildVersion(context.software)));
      },
    },
  }).createMachine({
    id: 'version',
    context: ({ input }) => ({ software: softwareOf(input) }),
    on: {
      'version.request': { actions: 'answerVersion' },
    },
  });
}

export type VersionLogic = ReturnType<typeof createVersionLogic>;
