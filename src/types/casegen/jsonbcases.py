# src/types/casegen/jsonbcases.py - generates test expectations from a PostgreSQL 15 server (see README.md).
import subprocess
vals = ['null','true','false','0','-1','1.5','1.50','100','"a"','"b"','"aa"','""','[]','[1]','[2]','[1,2]','[1,"a"]','{}','{"a":1}','{"a":2}','{"b":1}','{"a":1,"b":2}','{"aa":1}','[null]','[[1]]','{"a":{"b":1}}','-0.5','1e3']
def run(sql):
    r = subprocess.run(['psql','-AtqX','-c',sql],capture_output=True,text=True)
    return r.stdout.rstrip('\n')
rows = ','.join("('%s'::jsonb)" % v for v in vals)
order = run("select x::text as y from (values %s) t(x) order by t.x" % rows).split('\n')
pretty = []
for v in ['{"a":[1,{"b":null}],"c":{}}','[]','{}','[1,[2,[3]]]','{"k":"v"}','"s"','[{},[]]']:
    pretty.append((v, run("select jsonb_pretty('%s')" % v)))
def esc(s): return s.replace('\\','\\\\').replace('"','\\"').replace('\n','\\n')
with open('jsonb_cases.inc','w') as fo:
    fo.write('/* Generated from PostgreSQL 15: jsonb values in ORDER BY order, then jsonb_pretty pairs. */\n')
    fo.write('static const char *const ORDERED[] = {\n')
    for o in order: fo.write('    "%s",\n' % esc(o))
    fo.write('};\nstatic const char *const PRETTY[][2] = {\n')
    for a,b in pretty: fo.write('    {"%s", "%s"},\n' % (esc(a), esc(b)))
    fo.write('};\n')
print(order)
