# src/types/casegen/castcases.py - generates test expectations from a PostgreSQL 15 server (see README.md).
import subprocess
V = [('int4','42'),('int4','-7'),('int4','2147483647'),('int8','9223372036854775807'),('int8','40000'),('int2','-32768'),('numeric','2.5'),('numeric','-2.5'),('numeric','3.49999'),('numeric','1e20'),('numeric','NaN'),('float8','2.5'),('float8','3.5'),('float8','-0.5'),('float8','1e300'),('float8','NaN'),('float8','0.1'),('float4','1.1'),('float8','123456.789'),('bool','t'),('text','123'),('text',' 12 '),('text','abc'),('text','2024-02-29'),('varchar','hello'),('bpchar','ab'),('date','2024-02-29'),('timestamp','2024-02-29 13:14:15.5'),('timestamptz','2024-02-29 13:14:15+00'),('time','13:14:15'),('interval','1 day 02:03:04'),('interval','27:00:00'),('jsonb','{"a": 1}'),('jsonb','12.50'),('jsonb','true'),('jsonb','"str"'),('json','{"b":1, "a":2}'),('uuid','a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),('bytea','\\x0102')]
T = ['int2','int4','int8','numeric','numeric(5,1)','float4','float8','bool','text','varchar(3)','char(4)','date','timestamp','timestamptz','time','interval','jsonb','json','uuid','bytea']
TYPES_SQL = {'bpchar':'char(2)'}
def run(sql):
    r = subprocess.run(['psql','-AtqX','-P','null=<NULL>','-v','VERBOSITY=verbose','-c',"set timezone='UTC'",'-c',sql],capture_output=True,text=True)
    if r.returncode != 0 or 'ERROR' in r.stderr:
        line = [l for l in r.stderr.split('\n') if 'ERROR' in l][0]
        return 'ERR:' + line.split('ERROR:')[1].strip().split(':')[0]
    return r.stdout.rstrip('\n')
def esc(s): return s.replace('\\','\\\\').replace('"','\\"')
n=0
with open('cast_cases.inc','w') as fo:
    fo.write('/* Generated from PostgreSQL 15 (TimeZone UTC): {from type, input, to type, CAST(...) output (bool as t/f), or ERR:sqlstate}. */\n')
    for t, v in V:
        for target in T:
            src = "'%s'::%s" % (v.replace("'","''"), TYPES_SQL.get(t, t))
            res = run("select cast(%s as %s)" % (src, target))
            fo.write('{"%s", "%s", "%s", "%s"},\n' % (t, esc(v), target, esc(res)))
            n+=1
print(n)
