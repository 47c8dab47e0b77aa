# src/types/casegen/aggcases.py - generates test expectations from a PostgreSQL 15 server (see README.md).
import subprocess
D = {
 'int4': ['1','2','3','4',None],
 'int4b': ['2147483647','2147483647','5'],
 'int8': ['9223372036854775807','9223372036854775807','-3'],
 'numeric': ['1.5','2.25','-0.125',None,'10'],
 'float8': ['1.5','2.5','-1','1e10'],
 'text': ['pear','apple',None,'fig'],
 'bool': ['t','f','t'],
 'interval': ['1 day','2 hours','1 mon'],
 'date': ['2024-01-05','2023-12-31','2024-03-01'],
 'single': ['42'],
 'empty': [],
}
TYPES = {'int4':'int4','int4b':'int4','int8':'int8','numeric':'numeric','float8':'float8','text':'text','bool':'bool','interval':'interval','date':'date','single':'int4','empty':'int4'}
AGG = {
 'int4': ['count','sum','avg','min','max','variance','var_pop','stddev','stddev_pop','array_agg','jsonb_agg','json_agg'],
 'int4b': ['sum','avg'], 'int8': ['sum','avg','min'], 'numeric': ['count','sum','avg','min','max','var_samp','stddev_samp','stddev_pop','array_agg'],
 'float8': ['sum','avg','variance','stddev','var_pop','min','max'], 'text': ['count','min','max','array_agg','jsonb_agg','json_agg'],
 'bool': ['bool_and','bool_or','every','count'], 'interval': ['sum','avg','min','max'], 'date': ['min','max','array_agg'],
 'single': ['variance','var_pop','stddev','avg'], 'empty': ['count','sum','avg','min','variance','array_agg','bool_and'],
}
def run(sql):
    r = subprocess.run(['psql','-AtqX','-F','|','-P','null=<NULL>','-v','VERBOSITY=verbose','-c',"set timezone='UTC'",'-c',sql],capture_output=True,text=True)
    if r.returncode != 0 or 'ERROR' in r.stderr:
        line = [l for l in r.stderr.split('\n') if 'ERROR' in l][0]
        return 'ERR:' + line.split('ERROR:')[1].strip().split(':')[0]
    return r.stdout.rstrip('\n')
def values_sql(key):
    t = TYPES[key]
    vals = D[key]
    if not vals:
        return "(select null::%s x where false) t" % t
    rows = ','.join("(%s::%s)" % ("NULL" if v is None else "'" + v + "'", t) for v in vals)
    return "(values %s) t(x)" % rows
def esc(s): return s.replace('\\','\\\\').replace('"','\\"').replace('\n','\\n')
out = []
for key, aggs in AGG.items():
    for a in aggs:
        out.append((a, key, run("select %s(x)::text, pg_typeof(%s(x)) from %s" % (a, a, values_sql(key)))))
    out.append(('count*', key, run("select count(*)::text, pg_typeof(count(*)) from %s" % values_sql(key))))
# string_agg, jsonb_object_agg, ordered sets
extra = [
 ('string_agg', 'text', "select string_agg(x, ', ')::text, pg_typeof(string_agg(x, ', ')) from %s" % values_sql('text')),
 ('json_object_agg', 'text', "select json_object_agg(x, length(x))::text, pg_typeof(json_object_agg(x, length(x))) from (values ('b'),('a'),('b')) t(x)"),
 ('jsonb_object_agg', 'text', "select jsonb_object_agg(x, length(x))::text, pg_typeof(jsonb_object_agg(x, length(x))) from (values ('b'),('a'),('b')) t(x)"),
]
for f in ['0','0.25','0.5','0.9','1']:
    extra.append(('percentile_cont'+f, 'float8', "select (percentile_cont(%s) within group (order by x))::text, 'double precision' from %s" % (f, values_sql('float8'))))
    extra.append(('percentile_disc'+f, 'float8', "select (percentile_disc(%s) within group (order by x))::text, 'double precision' from %s" % (f, values_sql('float8'))))
extra.append(('percentile_cont0.5', 'interval', "select (percentile_cont(0.5) within group (order by x))::text, 'interval' from %s" % values_sql('interval')))
extra.append(('mode', 'text', "select (mode() within group (order by x))::text, 'text' from (values ('b'),('a'),('b'),('a'),('c')) t(x)"))
for name, key, sql in extra:
    out.append((name, key, run(sql)))
with open('agg_cases.inc','w') as fo:
    fo.write('/* Generated from PostgreSQL 15: {aggregate, data set, "text|type" or ERR:sqlstate}. */\n')
    for a,k,r in out:
        fo.write('{"%s", "%s", "%s"},\n' % (a, k, esc(r)))
print(len(out))
