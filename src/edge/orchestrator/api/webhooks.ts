// `GET /api/tts/{jobId}/webhook`: where the job's webhook goes and how each
// event's delivery stands (attempts, last answer, next try). Never the secret.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { LectorError } from '../../../core/errors.ts';
import { deliveryStub } from '../webhooks/WebhookDelivery.ts';
import { jobObjectName, jobStub } from './job-address.ts';
import { parseJobId } from './validate.ts';

export const webhookRoutes = new Hono<AppEnv>().get('/tts/:jobId/webhook', async (c) => {
  const jobId = parseJobId(c.req.param('jobId'));
  const caller = c.get('caller');
  if (!(await jobStub(c.env, jobId, caller).getJobState(false))) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
  const objectId = c.env.TTS_JOB_DO.idFromName(jobObjectName(jobId, caller)).toString();
  const status = await deliveryStub(c.env, objectId).status();
  if (!status) throw new LectorError('not_found', 404, 'the job has no webhook');
  return c.json({ jobId, webhook: status });
});
