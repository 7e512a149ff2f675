package dev.moat.models;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Built-in allowlists, and the danger list that only grades severity.
 *
 * <ul>
 *   <li>{@link #TORCH_CHECKPOINT}: the globals PyTorch's {@code weights_only} unpickler
 *       ({@code torch/_weights_only_unpickler.py}) accepts: OrderedDict/Counter, tensors, storages,
 *       dtypes, quantization schemes, layouts and the {@code torch._utils._rebuild_*} functions.</li>
 *   <li>{@link #NUMPY}: what {@code numpy.save} of an object array needs.</li>
 *   <li>{@link #DEFAULT}: both, the profile {@link ModelScanner} uses unless told otherwise.</li>
 * </ul>
 */
public final class Profiles {

    private Profiles() {
    }

    private static final List<String> DTYPES = List.of(
            "float32", "float", "float64", "double", "float16", "half", "bfloat16", "complex32", "chalf",
            "complex64", "cfloat", "complex128", "cdouble", "uint8", "uint16", "uint32", "uint64", "int8",
            "int16", "short", "int32", "int", "int64", "long", "bool", "qint8", "quint8", "qint32", "quint4x2",
            "quint2x4", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
            "float4_e2m1fn_x2", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
            "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
            "int1", "int2", "int3", "int4", "int5", "int6", "int7");

    private static final List<String> TENSOR_KINDS = List.of(
            "Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool",
            "ComplexFloat", "ComplexDouble", "QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4");

    private static final List<String> REBUILD = List.of(
            "_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_tensor",
            "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage",
            "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor");

    private static Set<String> torchGlobals() {
        Set<String> s = new TreeSet<>(List.of(
                "collections.OrderedDict", "collections.Counter",
                "torch.nn.parameter.Parameter", "torch.serialization._get_layout",
                "torch.Size", "torch.Tensor", "torch.device", "torch._tensor._rebuild_from_type_v2",
                "_codecs.encode",
                "builtins.bytearray", "builtins.set", "builtins.complex",
                "__builtin__.bytearray", "__builtin__.set", "__builtin__.complex",
                "torch.UntypedStorage", "torch.TypedStorage", "torch.storage.UntypedStorage",
                "torch.storage.TypedStorage", "torch.storage._LegacyStorage",
                "torch.per_tensor_affine", "torch.per_channel_affine", "torch.per_tensor_symmetric",
                "torch.per_channel_symmetric", "torch.per_channel_affine_float_qparams",
                "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.sparse_csc", "torch.sparse_bsr",
                "torch.sparse_bsc", "torch._mkldnn", "torch.jagged"));
        DTYPES.forEach(d -> s.add("torch." + d));
        for (String k : TENSOR_KINDS) {
            s.add("torch." + k + "Storage");
            s.add("torch." + k + "Tensor");
            s.add("torch.cuda." + k + "Storage");
            s.add("torch.cuda." + k + "Tensor");
        }
        REBUILD.forEach(r -> s.add("torch._utils." + r));
        return s;
    }

    /** PyTorch's {@code weights_only} unpickler safe globals (torch 2.6+). */
    public static final Profile TORCH_CHECKPOINT = new Profile("torch-checkpoint", torchGlobals());

    /** Object arrays saved by NumPy ({@code numpy.core} before 2.0, {@code numpy._core} after). */
    public static final Profile NUMPY = new Profile("numpy", Set.of(
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.ndarray", "numpy.dtype",
            "numpy.dtypes.Float64DType", "numpy.dtypes.Float32DType", "numpy.dtypes.Int64DType",
            "numpy.dtypes.Int32DType", "numpy.dtypes.ObjectDType", "numpy.dtypes.BoolDType",
            "collections.OrderedDict", "_codecs.encode"));

    /** The torch-checkpoint and NumPy profiles together. */
    public static final Profile DEFAULT = TORCH_CHECKPOINT.plus("default", NUMPY);

    /** Modules whose import alone gives code execution, file, network or process access. */
    private static final Set<String> DANGEROUS_MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "sys", "pip", "runpy", "socket", "shutil", "importlib",
            "webbrowser", "pty", "commands", "ctypes", "pickle", "_pickle", "cPickle", "marshal", "dill",
            "cloudpickle", "code", "codeop", "cProfile", "profile", "pdb", "bdb", "trace", "timeit",
            "multiprocessing", "asyncio", "ensurepip", "venv", "requests", "urllib", "urllib2", "httplib",
            "http", "aiohttp", "ftplib", "smtplib", "telnetlib", "pydoc", "pkgutil", "tempfile", "glob",
            "signal", "_posixsubprocess", "platform", "distutils", "setuptools", "idlelib", "lib2to3",
            "_osx_support", "uuid", "_pyrepl", "sqlite3", "zipimport");

    /** Builtins that evaluate code or reach arbitrary attributes and files. */
    private static final Set<String> DANGEROUS_BUILTINS = Set.of(
            "eval", "exec", "execfile", "compile", "open", "file", "__import__", "getattr", "setattr",
            "delattr", "apply", "input", "raw_input", "breakpoint", "globals", "locals", "vars", "help",
            "reload", "memoryview");

    /**
     * True when importing {@code module.name} is known to be dangerous. This only raises a finding's
     * severity; a global absent from this list is still a finding unless a profile allows it.
     */
    public static boolean isDangerous(String module, String name) {
        String root = module.split("\\.", 2)[0];
        if (root.equals("builtins") || root.equals("__builtin__")) {
            String first = name.split("\\.", 2)[0];
            return DANGEROUS_BUILTINS.contains(first);
        }
        if (DANGEROUS_MODULES.contains(root) || DANGEROUS_MODULES.contains(module)) {
            return true;
        }
        String lowerName = name.toLowerCase(Locale.ROOT);
        if (module.startsWith("torch.") && (module.contains("jit") || module.contains("_inductor")
                || module.contains("_dynamo") || module.equals("torch.serialization") && lowerName.startsWith("load"))) {
            return true;
        }
        return (module.equals("operator") || module.equals("_operator"))
                && (name.equals("attrgetter") || name.equals("methodcaller"))
                || module.equals("functools") && name.equals("partial")
                || module.equals("copyreg._extension_registry")
                || module.equals("?");
    }
}
