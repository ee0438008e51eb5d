#!/bin/sh
# One-shot job: makes the bucket the worker keeps its backups in, and a MinIO user for the worker
# that may read and write that bucket only (the root credentials stay with MinIO). Safe to run
# again: the bucket, the policy and the user are left as they are or updated in place.
set -eu

endpoint="${MINIO_ENDPOINT:-http://minio:9000}"
bucket="${BUCKET:-runbooks-backups}"
attempts="${WAIT_ATTEMPTS:-60}"

i=1
until mc alias set local "$endpoint" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  if [ "$i" -ge "$attempts" ]; then
    echo "gave up waiting for MinIO at $endpoint after $attempts attempts" >&2
    mc alias set local "$endpoint" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >&2 || true
    exit 1
  fi
  echo "waiting for MinIO at $endpoint ($i/$attempts)"
  i=$((i + 1))
  sleep 2
done

mc mb --ignore-existing "local/$bucket"
echo "bucket $bucket: ready"

policy=/tmp/runbooks-bucket-policy.json
cat >"$policy" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$bucket"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                 "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$bucket/*"]
    }
  ]
}
POLICY
mc admin policy create local "$bucket-rw" "$policy"
rm -f "$policy"

mc admin user add local "$WORKER_ACCESS_KEY" "$WORKER_SECRET_KEY"
if out="$(mc admin policy attach local "$bucket-rw" --user "$WORKER_ACCESS_KEY" 2>&1)"; then
  echo "user $WORKER_ACCESS_KEY: may read and write $bucket"
elif printf '%s' "$out" | grep -qi 'already'; then
  echo "user $WORKER_ACCESS_KEY: may read and write $bucket (already)"
else
  echo "could not give $WORKER_ACCESS_KEY the policy $bucket-rw: $out" >&2
  exit 1
fi
