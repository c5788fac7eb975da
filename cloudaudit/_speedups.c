/* Optional C versions of the hot loops of a bulk evaluation (Core).
 *
 * cloudaudit/_finding_table.py (build_findings), cloudaudit/_dedupe.py (unseen) and
 * cloudaudit/policies/_engine.py (Engine._value_rows) are the reference: this file does the
 * same work, step for step, without the interpreter's cost per step. It is built when the
 * package is installed and a C compiler is there (hatch_build.py); without it, or with
 * CLOUDAUDIT_PURE_PYTHON=1, the Python loops run. Any case this file does not handle itself
 * (a label field that is not a plain str, a record or key of another shape) is handed to
 * the Python code, so both give equal results; the tests run the same checks on both
 * (tests/test_speedups.py, tests/test_engine_reference.py).
 *
 * Only the documented C API is used. The dedupe set is a type of this file (IdSet), leaner
 * than a set of strings and as exact. A pydantic model's fields, fields set,
 * extra and private values are written through BaseModel's own descriptors (their
 * tp_descr_set), as the Python loop writes them; tests/test_engine_fast_path.py pins those
 * descriptors.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef CLOUDAUDIT_SOURCE_SHA256
#define CLOUDAUDIT_SOURCE_SHA256 "unknown"
#endif

/* Set once by configure(): the classes and descriptors the loop writes through. */
static PyObject *finding_cls = NULL;     /* cloudaudit.models.Finding */
static PyObject *dict_descr = NULL;      /* BaseModel.__dict__["__dict__"] */
static PyObject *fields_descr = NULL;    /* BaseModel.__dict__["__pydantic_fields_set__"] */
static PyObject *extra_descr = NULL;     /* BaseModel.__dict__["__pydantic_extra__"] */
static PyObject *private_descr = NULL;   /* BaseModel.__dict__["__pydantic_private__"] */
static PyObject *finding_fields = NULL;  /* the fields set every finding shares */
static PyObject *widen_fn = NULL;        /* _finding_table._widen(widened, fields_set) */
static PyObject *slow_fn = NULL;         /* _finding_table._build_one(resource, record, widened) */
static PyObject *label_mark = NULL;      /* _finding_table.LABEL */
static PyObject *empty_tuple = NULL;

static PyObject *s_type, *s_name, *s_reasons, *s_resource, *s_data_locations, *s_account,
    *s_provider, *s_id, *s_location, *s_service, *s_kind, *s_region, *s_site, *s_copies;

static int
descr_set(PyObject *descr, PyObject *obj, PyObject *value)
{
    descrsetfunc f = Py_TYPE(descr)->tp_descr_set;
    if (f == NULL) {
        PyErr_SetString(PyExc_TypeError, "cloudaudit._speedups: descriptor cannot be set");
        return -1;
    }
    return f(descr, obj, value);
}

static PyObject *
descr_get(PyObject *descr, PyObject *obj)
{
    descrgetfunc f = Py_TYPE(descr)->tp_descr_get;
    if (f == NULL) {
        PyErr_SetString(PyExc_TypeError, "cloudaudit._speedups: descriptor cannot be read");
        return NULL;
    }
    return f(descr, obj, (PyObject *)Py_TYPE(obj));
}

/* What BaseModel.__new__(cls) then the four descriptor writes do (model_construct's writes). */
static PyObject *
new_model(PyObject *cls, PyObject *values, PyObject *fields_set, PyObject *extra,
          PyObject *private_)
{
    PyObject *obj = PyBaseObject_Type.tp_new((PyTypeObject *)cls, empty_tuple, NULL);
    if (obj == NULL)
        return NULL;
    if (descr_set(dict_descr, obj, values) < 0 || descr_set(fields_descr, obj, fields_set) < 0 ||
        descr_set(extra_descr, obj, extra) < 0 || descr_set(private_descr, obj, private_) < 0) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

/* The completed resource: a copy of ``r`` whose data_locations gain ``extra``. */
static PyObject *
completed(PyObject *r, PyObject *d, PyObject *extra, PyObject *widened)
{
    PyObject *values = NULL, *was = NULL, *wide = NULL, *r_extra = NULL, *r_private = NULL;
    PyObject *done = NULL, *dl = NULL;
    PyObject *had = PyDict_GetItemWithError(d, s_data_locations); /* borrowed */
    if (had == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, s_data_locations);
        return NULL;
    }
    int truthy = PyObject_IsTrue(had);
    if (truthy < 0)
        return NULL;
    if (truthy) {
        dl = PySequence_Concat(had, extra);
        if (dl == NULL)
            return NULL;
    } else {
        dl = Py_NewRef(extra);
    }
    values = PyDict_Copy(d);
    if (values == NULL || PyDict_SetItem(values, s_data_locations, dl) < 0)
        goto done;
    was = descr_get(fields_descr, r);
    if (was == NULL)
        goto done;
    int has = PyAnySet_Check(was) ? PySet_Contains(was, s_data_locations)
                                  : PySequence_Contains(was, s_data_locations);
    if (has < 0)
        goto done;
    if (has) {
        wide = Py_NewRef(was);
    } else {
        PyObject *key = PyLong_FromVoidPtr(was);
        if (key == NULL)
            goto done;
        PyObject *known = PyDict_GetItemWithError(widened, key); /* borrowed */
        Py_DECREF(key);
        if (known != NULL && PyTuple_CheckExact(known) && PyTuple_GET_SIZE(known) == 2) {
            wide = Py_NewRef(PyTuple_GET_ITEM(known, 1));
        } else if (PyErr_Occurred()) {
            goto done;
        } else {
            wide = PyObject_CallFunctionObjArgs(widen_fn, widened, was, NULL);
            if (wide == NULL)
                goto done;
        }
    }
    r_extra = descr_get(extra_descr, r);
    if (r_extra == NULL)
        goto done;
    r_private = descr_get(private_descr, r);
    if (r_private == NULL)
        goto done;
    done = new_model((PyObject *)Py_TYPE(r), values, wide, r_extra, r_private);
done:
    Py_XDECREF(dl);
    Py_XDECREF(values);
    Py_XDECREF(was);
    Py_XDECREF(wide);
    Py_XDECREF(r_extra);
    Py_XDECREF(r_private);
    return done;
}

/* The reasons of a resource labelled ``label``: each tail after the label, then ``fixed``;
 * with no tails (``None``), each of ``fixed`` with the label placeholder replaced. */
static PyObject *
render_reasons(PyObject *label, PyObject *tails, PyObject *fixed)
{
    if (tails == Py_None) {
        Py_ssize_t n = PyTuple_GET_SIZE(fixed);
        PyObject *out = PyTuple_New(n);
        for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
            PyObject *s = PyUnicode_Replace(PyTuple_GET_ITEM(fixed, i), label_mark, label, -1);
            if (s == NULL)
                Py_CLEAR(out);
            else
                PyTuple_SET_ITEM(out, i, s);
        }
        return out;
    }
    Py_ssize_t nt = PyTuple_GET_SIZE(tails), nf = PyTuple_GET_SIZE(fixed);
    PyObject *out = PyTuple_New(nt + nf);
    for (Py_ssize_t i = 0; out != NULL && i < nt; i++) {
        PyObject *s = PyUnicode_Concat(label, PyTuple_GET_ITEM(tails, i));
        if (s == NULL)
            Py_CLEAR(out);
        else
            PyTuple_SET_ITEM(out, i, s);
    }
    for (Py_ssize_t i = 0; out != NULL && i < nf; i++)
        PyTuple_SET_ITEM(out, nt + i, Py_NewRef(PyTuple_GET_ITEM(fixed, i)));
    return out;
}

/* The finding of one pair, or NULL with no error set when the Python loop must build it. */
static PyObject *
build_one(PyObject *r, PyObject *record, PyObject *widened)
{
    if (!PyTuple_CheckExact(record) || PyTuple_GET_SIZE(record) != 5)
        return NULL;
    PyObject *shared = PyTuple_GET_ITEM(record, 0);
    PyObject *tails = PyTuple_GET_ITEM(record, 1);
    PyObject *fixed = PyTuple_GET_ITEM(record, 2);
    PyObject *extra = PyTuple_GET_ITEM(record, 3);
    if (!PyDict_CheckExact(shared) || !(tails == Py_None || PyTuple_CheckExact(tails)) ||
        !PyTuple_CheckExact(fixed))
        return NULL;
    PyObject *d = PyObject_GenericGetDict(r, NULL);
    if (d == NULL) {
        PyErr_Clear();
        return NULL;
    }
    PyObject *type = PyDict_GetItemWithError(d, s_type); /* borrowed */
    PyObject *name = type == NULL ? NULL : PyDict_GetItemWithError(d, s_name);
    if (type == NULL || name == NULL || !PyUnicode_CheckExact(type) ||
        !PyUnicode_CheckExact(name)) {
        PyErr_Clear();
        Py_DECREF(d);
        return NULL; /* the Python loop formats it (and raises what it raises) */
    }
    PyObject *label = NULL, *reasons = NULL, *values = NULL, *res = NULL, *f = NULL;
    label = PyUnicode_FromFormat("%U `%U`", type, name);
    if (label == NULL)
        goto fail;
    reasons = render_reasons(label, tails, fixed);
    if (reasons == NULL)
        goto fail;
    values = PyDict_Copy(shared);
    if (values == NULL || PyDict_SetItem(values, s_reasons, reasons) < 0)
        goto fail;
    if (extra == Py_None) {
        res = Py_NewRef(r);
    } else {
        res = completed(r, d, extra, widened);
        if (res == NULL)
            goto fail;
    }
    if (PyDict_SetItem(values, s_resource, res) < 0)
        goto fail;
    f = new_model(finding_cls, values, finding_fields, Py_None, Py_None);
    if (f == NULL)
        goto fail;
    Py_DECREF(d);
    Py_DECREF(label);
    Py_DECREF(reasons);
    Py_DECREF(values);
    Py_DECREF(res);
    return f;
fail:
    Py_DECREF(d);
    Py_XDECREF(label);
    Py_XDECREF(reasons);
    Py_XDECREF(values);
    Py_XDECREF(res);
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "cloudaudit._speedups: failed without an error");
    return NULL;
}

/* ---- the iterator: Findings(pairs, widened) ---- */

typedef struct {
    PyObject_HEAD
    PyObject *pairs;
    PyObject *widened;
} FindingsObject;

static void
findings_dealloc(FindingsObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->pairs);
    Py_CLEAR(self->widened);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
findings_traverse(FindingsObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->pairs);
    Py_VISIT(self->widened);
    return 0;
}

static PyObject *
findings_next(FindingsObject *self)
{
    if (self->pairs == NULL)
        return NULL;
    PyObject *pair = PyIter_Next(self->pairs);
    if (pair == NULL) {
        Py_CLEAR(self->pairs); /* exhausted (or failed): later calls end at once */
        return NULL;
    }
    PyObject *out = NULL;
    if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
        /* Unpacked as the Python loop's ``for r, record in pairs`` would. */
        PyObject *t = PySequence_Tuple(pair);
        Py_SETREF(pair, t);
        if (pair == NULL) {
            Py_CLEAR(self->pairs);
            return NULL;
        }
        if (PyTuple_GET_SIZE(pair) != 2) {
            PyErr_Format(PyExc_ValueError, "expected 2 values to unpack (got %zd)",
                         PyTuple_GET_SIZE(pair));
            Py_DECREF(pair);
            Py_CLEAR(self->pairs);
            return NULL;
        }
    }
    PyObject *r = PyTuple_GET_ITEM(pair, 0), *rec = PyTuple_GET_ITEM(pair, 1);
    out = build_one(r, rec, self->widened);
    if (out == NULL && !PyErr_Occurred())
        out = PyObject_CallFunctionObjArgs(slow_fn, r, rec, self->widened, NULL);
    Py_DECREF(pair);
    if (out == NULL)
        Py_CLEAR(self->pairs);
    return out;
}

static PyObject *
findings_close(FindingsObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_CLEAR(self->pairs); /* as a generator's close(): the pairs are dropped, not read */
    Py_RETURN_NONE;
}

static PyMethodDef findings_methods[] = {
    {"close", (PyCFunction)findings_close, METH_NOARGS, "Stop: later reads end at once."},
    {NULL, NULL, 0, NULL},
};

static PyObject *
findings_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *pairs, *widened;
    if (!PyArg_ParseTuple(args, "OO!:Findings", &pairs, &PyDict_Type, &widened))
        return NULL;
    if (finding_cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "cloudaudit._speedups: configure() not called");
        return NULL;
    }
    PyObject *it = PyObject_GetIter(pairs);
    if (it == NULL)
        return NULL;
    FindingsObject *self = (FindingsObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    self->pairs = it;
    self->widened = Py_NewRef(widened);
    return (PyObject *)self;
}

static PyTypeObject FindingsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cloudaudit._speedups.Findings",
    .tp_basicsize = sizeof(FindingsObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Findings(pairs, widened): the finding of each (resource, record) pair.",
    .tp_new = findings_new,
    .tp_dealloc = (destructor)findings_dealloc,
    .tp_traverse = (traverseproc)findings_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)findings_next,
    .tp_methods = findings_methods,
};

/* ---- unseen(resources, seen): the dedupe set (see cloudaudit/_dedupe.py) ---- */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#define PREFETCH_W(address) __builtin_prefetch(address, 1)
#else
#define PREFETCH(address) ((void)0)
#define PREFETCH_W(address) ((void)0)
#endif

/* The ids of one provider and account: an exact set of strings, smaller than a set.
 *
 * The strings themselves sit in ``ids``, in the order they came (a reference each). The
 * table ``slots`` finds them: open addressing with linear probing, one 8-byte entry per id,
 * the string's 32-bit tag (id_tag) above the 32 bits of its place in ``ids``
 * plus one (0 is an empty slot). A tag's slot is its Fibonacci hash, so ids whose slots are
 * near each other have unrelated tags and a tag that matches is nearly always the same
 * string; it is then compared, byte for byte, so the set stays exact. The table is grown
 * before it is five-eighths full, from the tags alone (no string is read again). Only exact
 * str objects are held (a subclass is copied to one), so the type needs no garbage
 * collector support. */
typedef struct {
    PyObject_HEAD
    uint64_t *slots;
    PyObject **ids;
    uint64_t *wheres;    /* each id's copies tag above its place tag (see where_of), beside ids */
    Py_ssize_t used;     /* ids held */
    Py_ssize_t capacity; /* room in ids */
    int bits;            /* log2 of the slots */
} IdSetObject;

#define IDSET_MAX ((Py_ssize_t)0x7fffffff)

static PyTypeObject IdSetType;

/* The keys of id_tag, from the interpreter's own random hash secret (set at import). */
static uint64_t tag_key0, tag_key1;

/* The 64-bit product of ``a`` and ``b`` folded to 64 bits (its high and low halves xored). */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    uint64_t lo = a * b, ha = a >> 32, hb = b >> 32, la = a & 0xffffffffu, lb = b & 0xffffffffu;
    uint64_t mid = ha * lb + (la * lb >> 32), mid2 = la * hb + (mid & 0xffffffffu);
    return lo ^ (ha * hb + (mid >> 32) + (mid2 >> 32));
#endif
}

static inline uint64_t
read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t
read32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* An id's tag: 32 bits of a keyed multiply-fold hash of its characters (as wyhash mixes),
 * under half the cost of the str's own siphash. Its keys come from the interpreter's random
 * hash secret, so ids cannot be picked to share tags without it (though it is not a
 * cryptographic hash as siphash is); shared tags only cost a comparison. Equal strings have
 * equal bytes (a str is stored in the smallest kind that holds it): equal tags. */
static inline uint32_t
id_tag(PyObject *s)
{
    const unsigned char *p = PyUnicode_DATA(s);
    size_t len = (size_t)PyUnicode_GET_LENGTH(s) * (size_t)PyUnicode_KIND(s);
    uint64_t h = tag_key0 ^ ((uint64_t)len * 0x9e3779b97f4a7c15u), a = 0, b = 0;
    for (; len > 16; len -= 16, p += 16)
        h = fold_mul(read64(p) ^ tag_key1, read64(p + 8) ^ h);
    if (len >= 8) {
        a = read64(p);
        b = read64(p + len - 8);
    } else if (len >= 4) {
        a = read32(p);
        b = read32(p + len - 4);
    } else if (len > 0) {
        a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
    }
    return (uint32_t)fold_mul(fold_mul(a ^ tag_key1, b ^ h), tag_key0 ^ 0xe7037ed1a0b428dbu);
}

static inline uint32_t
slot_of(uint32_t tag, int bits)
{
    return (uint32_t)(tag * 2654435769u) >> (32 - bits);
}

static int
idset_grow_slots(IdSetObject *self, int bits)
{
    uint64_t *slots = PyMem_Calloc((size_t)1 << bits, sizeof(uint64_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    uint32_t mask = (uint32_t)(((uint64_t)1 << bits) - 1);
    if (self->slots != NULL) {
        size_t old = (size_t)1 << self->bits;
        for (size_t i = 0; i < old; i++) {
            uint64_t e = self->slots[i];
            if (e == 0)
                continue;
            uint32_t s = slot_of((uint32_t)(e >> 32), bits);
            while (slots[s] != 0)
                s = (s + 1) & mask;
            slots[s] = e;
        }
        PyMem_Free(self->slots);
    }
    self->slots = slots;
    self->bits = bits;
    return 0;
}

static PyObject *
idset_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "IdSet() takes no arguments");
        return NULL;
    }
    IdSetObject *self = (IdSetObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if (idset_grow_slots(self, 4) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
idset_dealloc(IdSetObject *self)
{
    for (Py_ssize_t i = 0; i < self->used; i++)
        Py_DECREF(self->ids[i]);
    PyMem_Free(self->ids);
    PyMem_Free(self->wheres);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static inline int
same_str(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    int kind = PyUnicode_KIND(a);
    return n == PyUnicode_GET_LENGTH(b) && kind == PyUnicode_KIND(b) &&
           memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * (size_t)kind) == 0;
}

/* An exact str equal to ``id`` (a new reference), or NULL with TypeError. */
static PyObject *
exact_str(PyObject *id)
{
    if (PyUnicode_CheckExact(id))
        return Py_NewRef(id);
    if (PyUnicode_Check(id))
        return PyUnicode_FromObject(id);
    PyErr_Format(PyExc_TypeError, "a resource id must be a str, not %.100s", Py_TYPE(id)->tp_name);
    return NULL;
}

/* Whether ``id`` (an exact str whose tag is ``tag``) is held; ``*slot`` is then its slot,
 * else the empty slot where it goes. */
static inline int
idset_find(IdSetObject *self, PyObject *id, uint32_t tag, uint32_t *slot)
{
    uint32_t mask = (uint32_t)(((uint64_t)1 << self->bits) - 1);
    uint32_t s = slot_of(tag, self->bits);
    for (uint64_t e; (e = self->slots[s]) != 0; s = (s + 1) & mask)
        if ((uint32_t)(e >> 32) == tag && same_str(self->ids[(uint32_t)e - 1], id))
            break;
    *slot = s;
    return self->slots[s] != 0;
}

/* Add ``id`` (an exact str whose tag is ``tag``) with where it is (its copies tag above its
 * place tag): 1 when it is new, 0 when held (``*first`` is then where it was added with), -1
 * on error. */
static int
idset_add(IdSetObject *self, PyObject *id, uint32_t tag, uint64_t where, uint64_t *first)
{
    uint32_t s;
    if (idset_find(self, id, tag, &s)) {
        *first = self->wheres[(uint32_t)self->slots[s] - 1];
        return 0;
    }
    if (self->used >= IDSET_MAX) {
        PyErr_SetString(PyExc_OverflowError, "more than 2**31 - 1 resource ids in one account");
        return -1;
    }
    if (self->used == self->capacity) {
        Py_ssize_t capacity = self->capacity < 64 ? 64 : self->capacity * 2;
        PyObject **ids = PyMem_Realloc(self->ids, (size_t)capacity * sizeof(PyObject *));
        if (ids != NULL)
            self->ids = ids;
        uint64_t *wheres = ids == NULL ? NULL : PyMem_Realloc(self->wheres, (size_t)capacity * 8);
        if (wheres == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        self->wheres = wheres;
        self->capacity = capacity;
    }
    self->wheres[self->used] = where;
    self->ids[self->used] = Py_NewRef(id);
    self->used++;
    self->slots[s] = ((uint64_t)tag << 32) | (uint64_t)self->used;
    if ((uint64_t)self->used * 8 >= ((uint64_t)5 << self->bits))
        return idset_grow_slots(self, self->bits + (self->bits < 16 ? 2 : 1)) < 0 ? -1 : 1;
    return 1;
}

static Py_ssize_t
idset_len(IdSetObject *self)
{
    return self->used;
}

static int
idset_contains(IdSetObject *self, PyObject *key)
{
    if (!PyUnicode_Check(key))
        return 0;
    PyObject *id = exact_str(key);
    if (id == NULL)
        return -1;
    uint32_t slot;
    int found = idset_find(self, id, id_tag(id), &slot);
    Py_DECREF(id);
    return found;
}

static PyObject *
idset_add_method(IdSetObject *self, PyObject *key)
{
    PyObject *id = exact_str(key);
    if (id == NULL)
        return NULL;
    uint64_t first;
    int added = idset_add(self, id, id_tag(id), 0, &first);
    Py_DECREF(id);
    if (added < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
idset_to_set(IdSetObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = PySet_New(NULL);
    for (Py_ssize_t i = 0; out != NULL && i < self->used; i++)
        if (PySet_Add(out, self->ids[i]) < 0)
            Py_CLEAR(out);
    return out;
}

static PySequenceMethods idset_as_sequence = {
    .sq_length = (lenfunc)idset_len,
    .sq_contains = (objobjproc)idset_contains,
};

static PyObject *
idset_tag(PyObject *type, PyObject *key)
{
    PyObject *id = exact_str(key);
    if (id == NULL)
        return NULL;
    uint32_t tag = id_tag(id);
    Py_DECREF(id);
    return PyLong_FromUnsignedLong(tag);
}

static PyMethodDef idset_methods[] = {
    {"tag", (PyCFunction)idset_tag, METH_O | METH_CLASS,
     "The 32-bit tag an IdSet keeps of an id (for tests: ids whose tags collide)."},
    {"add", (PyCFunction)idset_add_method, METH_O, "Add one id (a str)."},
    {"to_set", (PyCFunction)idset_to_set, METH_NOARGS, "The ids held, as a set."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject IdSetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cloudaudit._speedups.IdSet",
    .tp_basicsize = sizeof(IdSetObject),
    .tp_dealloc = (destructor)idset_dealloc,
    .tp_as_sequence = &idset_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The exact set of the resource ids of one provider and account (unseen's).",
    .tp_methods = idset_methods,
    .tp_new = idset_new,
};

/* One resource of the batch on its way into its set: its id (a new reference: an exact str)
 * and its set (borrowed: ``seen`` holds it). */
typedef struct {
    PyObject *id;
    IdSetObject *ids;
    uint32_t tag;
    uint64_t where; /* its copies tag above its place tag (see where_of) */
} Pending;

/* ``d[key]`` (borrowed), or NULL (an error set when it is one). Read first at entry ``*at``
 * of ``d``: the resources' dicts share one order of keys, so the entry where the last one
 * held ``key`` usually holds it again (the keys are the same interned strings). Else it is
 * looked up, and ``*at`` learns where ``key`` is. */
static PyObject *
field_at(PyObject *d, PyObject *key, Py_ssize_t *at)
{
    Py_ssize_t pos = *at;
    PyObject *k, *v;
    if (pos >= 0 && PyDict_Next(d, &pos, &k, &v) && k == key)
        return v;
    PyObject *found = PyDict_GetItemWithError(d, key);
    if (found != NULL)
        for (pos = 0; PyDict_Next(d, &pos, &k, &v);)
            if (k == key) {
                *at = pos - 1;
                break;
            }
    return found;
}

/* Where read_ids is in a batch: the provider and account objects of the last resource and
 * their set (borrowed), and where the dicts held the fields last (see field_at). */
#define PLACES 4096 /* location objects whose place tags a call remembers */

typedef struct {
    PyObject *provider, *account;
    IdSetObject *ids;
    Py_ssize_t at_account, at_provider, at_id, at_location, at_copies;
    /* The place tags of the location objects met in this call, by address (PLACES of each,
     * allocated per call): the resources of the batch hold them, so no address is reused
     * while the call runs. */
    PyObject **location;
    uint32_t *place;
    /* Likewise the copies tags of the data_locations tuples met (PLACES of each): resources
     * that share their copies share the tuple. */
    PyObject **copies;
    uint32_t *copies_tag;
} Reader;

/* Where a location puts a resource, as a tag: its region (and site) when it is one region or
 * a zone of one, else 0, a place that conflicts with none (unknown, global, multi-region:
 * another report may be more precise without contradicting it). Two reports of one resource
 * whose tags are both set and differ are in conflict (see unseen). */
/* A location's kind, region and site (borrowed from its dict, which is returned: a new
 * reference), or NULL with an error set. */
static PyObject *
location_fields(PyObject *loc, PyObject **kind, PyObject **region, PyObject **site)
{
    PyObject *d = PyObject_GenericGetDict(loc, NULL);
    if (d == NULL)
        return NULL;
    *kind = PyDict_GetItemWithError(d, s_kind);
    *region = *kind == NULL ? NULL : PyDict_GetItemWithError(d, s_region);
    *site = *region == NULL ? NULL : PyDict_GetItemWithError(d, s_site);
    if (*site != NULL)
        return d;
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_KeyError, "a location without kind, region or site");
    Py_DECREF(d);
    return NULL;
}

static int
place_tag(PyObject *loc, uint32_t *out)
{
    *out = 0;
    PyObject *kind, *region, *site, *d = location_fields(loc, &kind, &region, &site);
    if (d == NULL)
        return -1;
    if (PyUnicode_Check(kind) && PyUnicode_Check(region) &&
        (PyUnicode_CompareWithASCIIString(kind, "region") == 0 ||
         PyUnicode_CompareWithASCIIString(kind, "zone") == 0)) {
        uint32_t tag = id_tag(region);
        if (PyUnicode_Check(site))
            tag = (tag * 2654435761u) ^ id_tag(site);
        *out = tag != 0 ? tag : 1;
    }
    Py_DECREF(d);
    return PyErr_Occurred() ? -1 : 0;
}

/* One copy's place as a tag: its kind (a zone counts as its region), region and site. */
static int
copy_tag(PyObject *loc, uint32_t *out)
{
    PyObject *kind, *region, *site, *d = location_fields(loc, &kind, &region, &site);
    if (d == NULL)
        return -1;
    uint64_t k = 1, r = 2, t = 3; /* None (or not a str): a value no str's tag takes */
    if (PyUnicode_Check(kind))
        k = id_tag(PyUnicode_CompareWithASCIIString(kind, "zone") == 0 ? s_region : kind);
    if (PyUnicode_Check(region))
        r = id_tag(region) | ((uint64_t)1 << 32);
    if (PyUnicode_Check(site))
        t = id_tag(site) | ((uint64_t)1 << 32);
    *out = (uint32_t)fold_mul(fold_mul(k ^ tag_key0, r ^ tag_key1), t ^ tag_key0);
    Py_DECREF(d);
    return PyErr_Occurred() ? -1 : 0;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The places of a resource's copies (``data_locations``) as one tag: 0 when it has none, else
 * a hash of the set of their copy_tags (in any order, each counted once). Two reports of one
 * resource whose copies tags differ are in conflict (see unseen). */
static int
copies_tag(PyObject *copies, uint32_t *out)
{
    *out = 0;
    PyObject *seq = PySequence_Fast(copies, "data_locations must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    uint32_t local[16], *tags = n <= 16 ? local : PyMem_Malloc((size_t)n * sizeof(uint32_t));
    int rc = tags == NULL ? (PyErr_NoMemory(), -1) : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
        rc = copy_tag(PySequence_Fast_GET_ITEM(seq, i), &tags[i]);
    if (rc == 0 && n > 0) {
        qsort(tags, (size_t)n, sizeof(uint32_t), cmp_u32);
        uint64_t h = tag_key1;
        for (Py_ssize_t i = 0; i < n; i++)
            if (i == 0 || tags[i] != tags[i - 1])
                h = fold_mul(h ^ tags[i], tag_key0 ^ 0x9e3779b97f4a7c15u);
        *out = (uint32_t)h != 0 ? (uint32_t)h : 1;
    }
    if (tags != local)
        PyMem_Free(tags);
    Py_DECREF(seq);
    return rc;
}

/* The set of a provider and account: ``seen``'s, or a new one put there (borrowed). */
static IdSetObject *
ids_of(PyObject *seen, PyObject *provider, PyObject *account)
{
    PyObject *key = PyTuple_Pack(2, provider, account);
    if (key == NULL)
        return NULL;
    PyObject *got = PyDict_GetItemWithError(seen, key);
    if (got == NULL && !PyErr_Occurred()) {
        PyObject *made = idset_new(&IdSetType, empty_tuple, NULL);
        if (made != NULL && PyDict_SetItem(seen, key, made) == 0)
            got = made;
        Py_XDECREF(made); /* ``seen`` holds it */
    }
    Py_DECREF(key);
    if (got != NULL && !Py_IS_TYPE(got, &IdSetType)) {
        PyErr_SetString(PyExc_TypeError, "the dedupe map holds a set of another type");
        return NULL;
    }
    return (IdSetObject *)got;
}

/* The id (an exact str, a new reference) and the set of each resource, in order; the set
 * looked up when the provider or the account object changes, as the Python loop does.
 * Returns how many were read: ``n`` unless an error is set. */
static Py_ssize_t
read_ids(PyObject **items, Py_ssize_t n, PyObject *seen, Pending *pending, Reader *at)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + 8 < n)
            PREFETCH(items[i + 8]);
        PyObject *d = PyObject_GenericGetDict(items[i], NULL);
        if (d == NULL)
            return i;
        PyObject *acc = field_at(d, s_account, &at->at_account);
        PyObject *prov = acc == NULL ? NULL : field_at(d, s_provider, &at->at_provider);
        PyObject *id = prov == NULL ? NULL : field_at(d, s_id, &at->at_id);
        PyObject *loc = id == NULL ? NULL : field_at(d, s_location, &at->at_location);
        PyObject *dl = loc == NULL ? NULL : field_at(d, s_data_locations, &at->at_copies);
        Py_DECREF(d); /* its values stay alive in the resource, which the caller holds */
        if (dl == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError,
                                "resource without account, provider, id, location or data_locations");
            return i;
        }
        uint32_t copies = 0; /* no copies (the empty tuple, the usual case): nothing to read */
        if (!(PyTuple_CheckExact(dl) && PyTuple_GET_SIZE(dl) == 0)) {
            size_t c = (size_t)(((uintptr_t)dl * UINT64_C(0x9e3779b97f4a7c15)) >> 52) % PLACES;
            if (at->copies[c] != dl) {
                if (copies_tag(dl, &at->copies_tag[c]) < 0)
                    return i;
                at->copies[c] = dl;
            }
            copies = at->copies_tag[c];
        }
        size_t k = (size_t)(((uintptr_t)loc * UINT64_C(0x9e3779b97f4a7c15)) >> 52) % PLACES;
        if (at->location[k] != loc) { /* providers share location objects: tagged once */
            if (place_tag(loc, &at->place[k]) < 0)
                return i;
            at->location[k] = loc;
        }
        if (acc != at->account || prov != at->provider) {
            if ((at->ids = ids_of(seen, prov, acc)) == NULL)
                return i;
            at->provider = prov;
            at->account = acc;
        }
        if ((pending[i].id = exact_str(id)) == NULL)
            return i;
        pending[i].ids = at->ids;
        pending[i].where = ((uint64_t)copies << 32) | at->place[k];
    }
    return n;
}

/* Append ``(r, why)`` to ``conflicts`` when a report of ``r`` (where it is: ``where``)
 * contradicts its first (``first``): ``"region"`` when both place tags are set and differ,
 * ``"copies"`` when the copies tags differ (see unseen). */
static int
conflict(PyObject *conflicts, PyObject *r, uint64_t where, uint64_t first)
{
    uint32_t place = (uint32_t)where, was = (uint32_t)first;
    PyObject *why = place != 0 && was != 0 && place != was ? s_region
                    : (where >> 32) != (first >> 32)     ? s_copies
                                                         : NULL;
    if (why == NULL)
        return 0;
    PyObject *pair = PyTuple_Pack(2, r, why);
    int rc = pair == NULL ? -1 : PyList_Append(conflicts, pair);
    Py_XDECREF(pair);
    return rc;
}

#define BLOCK 256 /* resources read, hashed and added in turn: their lines stay in the cache */
#define AHEAD 16  /* adds between prefetching an id's slot and adding the id */

/* The ids of a block's resources, each tagged (id_tag) then added to
 * its set; ``out`` is started at the first resource seen before (see unseen). */
static int
add_block(PyObject **items, Py_ssize_t start, Py_ssize_t n, Pending *pending, PyObject **out,
          PyObject *conflicts)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        pending[i].tag = id_tag(pending[i].id);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + AHEAD < n) { /* the slot of an id a few adds ahead, on its way to the cache */
            IdSetObject *ids = pending[i + AHEAD].ids;
            PREFETCH_W(&ids->slots[slot_of(pending[i + AHEAD].tag, ids->bits)]);
        }
        uint64_t where = pending[i].where, first = 0;
        int added = idset_add(pending[i].ids, pending[i].id, pending[i].tag, where, &first);
        if (added < 0)
            return -1;
        PyObject *r = items[start + i];
        if (added) {
            if (*out != NULL && PyList_Append(*out, r) < 0)
                return -1;
            continue;
        }
        if (conflicts != NULL && first != where && conflict(conflicts, r, where, first) < 0)
            return -1;
        if (*out == NULL) {
            if ((*out = PyList_New(start + i)) == NULL)
                return -1;
            for (Py_ssize_t j = 0; j < start + i; j++)
                PyList_SET_ITEM(*out, j, Py_NewRef(items[j]));
        }
    }
    return 0;
}


static PyObject *
unseen(PyObject *module, PyObject *args)
{
    PyObject *resources, *seen, *conflicts = Py_None;
    if (!PyArg_ParseTuple(args, "OO!|O:unseen", &resources, &PyDict_Type, &seen, &conflicts))
        return NULL;
    if (conflicts == Py_None)
        conflicts = NULL;
    else if (!PyList_Check(conflicts)) {
        PyErr_SetString(PyExc_TypeError, "unseen: conflicts must be a list or None");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(resources, "resources must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *out = NULL;
    Reader at = {
        .at_account = -1, .at_provider = -1, .at_id = -1, .at_location = -1, .at_copies = -1};
    at.location = PyMem_Calloc(2 * PLACES, sizeof(PyObject *) + sizeof(uint32_t));
    if (at.location == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    at.copies = at.location + PLACES;
    at.place = (uint32_t *)(at.location + 2 * PLACES);
    at.copies_tag = at.place + PLACES;
    Pending pending[BLOCK];
    /* A block of resources at a time, in three passes, so that each pass's memory reads are
     * issued ahead and still in the cache when the next pass uses them: the resources' ids,
     * their tags and table slots, then the adds in order. */
    for (Py_ssize_t start = 0; start < n; start += BLOCK) {
        Py_ssize_t size = n - start < BLOCK ? n - start : BLOCK;
        Py_ssize_t read = read_ids(items + start, size, seen, pending, &at);
        int failed = read < size || add_block(items, start, size, pending, &out, conflicts) < 0;
        for (Py_ssize_t i = 0; i < read; i++)
            Py_DECREF(pending[i].id);
        if (failed) {
            PyMem_Free(at.location);
            Py_XDECREF(out);
            Py_DECREF(seq);
            return NULL;
        }
    }
    PyMem_Free(at.location);
    Py_DECREF(seq);
    return out == NULL ? Py_NewRef(resources) : out;
}

/* ---- value_rows(chunk, by_value, fields): Engine._value_rows's lookups ---- */

/* ``obj.__dict__`` (a new reference), or NULL with no error set. */
static PyObject *
dict_or_null(PyObject *obj)
{
    PyObject *d = PyObject_GenericGetDict(obj, NULL);
    if (d == NULL)
        PyErr_Clear();
    return d;
}

/* The tuple of ``fields`` read from ``obj``'s fields (``attrgetter(*fields)(obj)`` on a
 * pydantic model); NULL with no error set when a field is not there (Python decides). */
static PyObject *
fields_of(PyObject *obj, PyObject *fields)
{
    PyObject *d = dict_or_null(obj);
    if (d == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(fields);
    PyObject *key = PyTuple_New(n);
    for (Py_ssize_t i = 0; key != NULL && i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(d, PyTuple_GET_ITEM(fields, i));
        if (v == NULL) {
            PyErr_Clear();
            Py_CLEAR(key);
        } else {
            PyTuple_SET_ITEM(key, i, Py_NewRef(v));
        }
    }
    Py_DECREF(d);
    return key;
}

/* The by-value key of one resource: ``(fields of its location, fields of each copy,
 * (provider, service, type))``; NULL with no error set when Python must build it. */
static PyObject *
value_key(PyObject *r, PyObject *fields)
{
    PyObject *d = dict_or_null(r);
    if (d == NULL)
        return NULL;
    PyObject *got[5];
    PyObject *names[5] = {s_location, s_data_locations, s_provider, s_service, s_type};
    for (int i = 0; i < 5; i++) {
        got[i] = PyDict_GetItemWithError(d, names[i]); /* borrowed: d is the resource's */
        if (got[i] == NULL) {
            PyErr_Clear();
            Py_DECREF(d);
            return NULL;
        }
    }
    PyObject *out = NULL, *loc = NULL, *copies = NULL, *type_key = NULL;
    if (!PyTuple_CheckExact(got[1]))
        goto done;
    loc = fields_of(got[0], fields);
    if (loc == NULL)
        goto done;
    Py_ssize_t n = PyTuple_GET_SIZE(got[1]);
    copies = PyTuple_New(n);
    for (Py_ssize_t i = 0; copies != NULL && i < n; i++) {
        PyObject *k = fields_of(PyTuple_GET_ITEM(got[1], i), fields);
        if (k == NULL)
            Py_CLEAR(copies);
        else
            PyTuple_SET_ITEM(copies, i, k);
    }
    if (copies == NULL)
        goto done;
    type_key = PyTuple_Pack(3, got[2], got[3], got[4]);
    if (type_key != NULL)
        out = PyTuple_Pack(3, loc, copies, type_key);
done:
    PyErr_Clear(); /* any failure here: Python builds the key (and raises what it raises) */
    Py_XDECREF(loc);
    Py_XDECREF(copies);
    Py_XDECREF(type_key);
    Py_DECREF(d);
    return out;
}

static PyObject *
value_rows(PyObject *module, PyObject *args)
{
    PyObject *chunk, *by_value, *fields;
    if (!PyArg_ParseTuple(args, "OO!O!:value_rows", &chunk, &PyDict_Type, &by_value,
                          &PyTuple_Type, &fields))
        return NULL;
    PyObject *seq = PySequence_Fast(chunk, "chunk must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *rows = PyList_New(n);
    for (Py_ssize_t i = 0; rows != NULL && i < n; i++) {
        PyObject *key = value_key(items[i], fields);
        PyObject *row = NULL;
        if (key != NULL) {
            row = PyDict_GetItemWithError(by_value, key); /* borrowed */
            Py_DECREF(key);
            if (row == NULL && PyErr_Occurred())
                Py_CLEAR(rows);
        }
        if (rows != NULL)
            PyList_SET_ITEM(rows, i, Py_NewRef(row != NULL ? row : Py_None));
    }
    Py_DECREF(seq);
    return rows;
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *a[9];
    if (!PyArg_ParseTuple(args, "O!OOOOOOOU:configure", &PyType_Type, &a[0], &a[1], &a[2], &a[3],
                          &a[4], &a[5], &a[6], &a[7], &a[8]))
        return NULL;
    PyObject **slots[9] = {&finding_cls,    &dict_descr, &fields_descr, &extra_descr, &private_descr,
                           &finding_fields, &widen_fn,   &slow_fn,      &label_mark};
    for (int i = 0; i < 9; i++)
        Py_XSETREF(*slots[i], Py_NewRef(a[i]));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(finding_cls, dict, fields_set, extra, private, finding_fields, widen, build_one, "
     "label)"},
    {"unseen", unseen, METH_VARARGS, "unseen(resources, seen): see cloudaudit._dedupe.unseen."},
    {"value_rows", value_rows, METH_VARARGS,
     "value_rows(chunk, by_value, fields): see cloudaudit.policies._engine.Engine._value_rows."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "cloudaudit._speedups",
    "C versions of build_findings and unseen (see cloudaudit/_speedups.c).", -1, methods,
};

#define INTERN(var, text)                                                                     \
    if ((var = PyUnicode_InternFromString(text)) == NULL)                                     \
        return NULL;

PyMODINIT_FUNC
PyInit__speedups(void)
{
    INTERN(s_type, "type");
    INTERN(s_name, "name");
    INTERN(s_reasons, "reasons");
    INTERN(s_resource, "resource");
    INTERN(s_data_locations, "data_locations");
    INTERN(s_account, "account");
    INTERN(s_provider, "provider");
    INTERN(s_id, "id");
    INTERN(s_location, "location");
    INTERN(s_service, "service");
    INTERN(s_kind, "kind");
    INTERN(s_region, "region");
    INTERN(s_site, "site");
    INTERN(s_copies, "copies");
    if ((empty_tuple = PyTuple_New(0)) == NULL)
        return NULL;
    tag_key0 = (uint64_t)PyObject_Hash(s_service) | 1u; /* interned: hashed already */
    tag_key1 = (uint64_t)PyObject_Hash(s_data_locations) * 0x9e3779b97f4a7c15u;
    if (PyType_Ready(&FindingsType) < 0)
        return NULL;
    if (PyType_Ready(&IdSetType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Findings", (PyObject *)&FindingsType) < 0 ||
        PyModule_AddObjectRef(m, "IdSet", (PyObject *)&IdSetType) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_SHA256", CLOUDAUDIT_SOURCE_SHA256) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
