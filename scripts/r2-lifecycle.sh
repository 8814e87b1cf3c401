#!/usr/bin/env bash
# Sets the audio bucket's lifecycle rule for a deployment: objects under
# tts_audio/ are deleted 2 days after upload. Jobs delete their own audio at
# their TTL (24 h by default) with an alarm; this rule is the safety net for
# audio whose job state is already gone. Needs `wrangler login` (or
# CLOUDFLARE_API_TOKEN) for the account that owns the bucket.
set -euo pipefail
bucket="${1:-lector-audio}"
cd "$(dirname "$0")/.."
npx wrangler r2 bucket lifecycle set "$bucket" --file deploy/r2-lifecycle.json --force
npx wrangler r2 bucket lifecycle list "$bucket"
