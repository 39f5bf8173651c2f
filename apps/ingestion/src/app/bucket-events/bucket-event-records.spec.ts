import { createdObjects } from './bucket-event-records';

const record = (eventName: string, key: string, bucket = 'news') => ({
  eventVersion: '2.1',
  eventName,
  s3: { bucket: { name: bucket }, object: { key, eTag: 'abc', size: 10 } },
});

describe('bucket event records', () => {
  it('reads created objects from AWS and MinIO shapes, decoding keys', () => {
    const aws = { Records: [record('ObjectCreated:Put', 'incoming/my+file%C3%A9.txt')] };
    const minio = {
      EventName: 's3:ObjectCreated:Put',
      Key: 'news/x',
      Records: [record('s3:ObjectCreated:Put', 'x.ndjson')],
    };
    expect(createdObjects(aws)).toEqual({
      created: [{ bucket: 'news', key: 'incoming/my fileé.txt' }],
      ignored: 0,
    });
    expect(createdObjects(minio)).toEqual({ created: [{ bucket: 'news', key: 'x.ndjson' }], ignored: 0 });
  });

  it('ignores deletions and malformed records, counting them', () => {
    const body = {
      Records: [
        record('s3:ObjectRemoved:Delete', 'a.txt'),
        { nonsense: true },
        record('ObjectCreated:Copy', 'b.txt'),
      ],
    };
    expect(createdObjects(body)).toEqual({ created: [{ bucket: 'news', key: 'b.txt' }], ignored: 2 });
  });

  it('yields nothing for something that is not an event', () => {
    expect(createdObjects({ hello: 'world' })).toEqual({ created: [], ignored: 0 });
    expect(createdObjects(null)).toEqual({ created: [], ignored: 0 });
  });
});
