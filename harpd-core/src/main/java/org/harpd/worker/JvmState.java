package org.harpd.worker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.ResponseCache;
import java.net.URL;
import java.net.URLConnection;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.harpd.logging.PythonLogBridge;
import org.harpd.protocol.Json;

/**
 * The JVM-wide Java state a call can change for every later call of its worker, which a fork's child would have
 * taken with it: system properties, the default time zone and locales, the security providers, the standard
 * streams, the default uncaught-exception handler, the JDK's process-wide network hooks (proxy selector, authenticator, cookie
 * handler, response cache, HTTPS hostname verifier and socket factory), the calling thread's
 * name, priority and context class loader, and harpd's own shared objects (the JSON mapper the worker encodes
 * every answer with, the route of Python log records). Recorded at boot; {@link #restore} puts back what a plain
 * setter puts back and reports what it cannot.
 *
 * <p>Chosen so: what the JDK offers a getter and a setter for is compared (by identity where the object could
 * carry code, such as a {@link TimeZone} or {@link Properties} subclass written in Python) and set back. What
 * can be set only once per JVM ({@link URL#setURLStreamHandlerFactory}, {@link
 * URLConnection#setContentHandlerFactory}) is set at boot to factories that keep the JDK's defaults, so no call
 * can set it; HTTPS's default socket factory is set at boot to one that looks the JDK's up at first use, so it is
 * compared without initialising TLS. A security manager cannot be installed (the worker JVM starts with
 * {@code -Djava.security.manager=disallow}). What cannot be read back without reflection into the JDK (security
 * properties, entries changed inside a provider, {@code SSLContext.setDefault}) is not covered: docs/security.md says so.
 */
final class JvmState {
    private final Properties properties;
    private final Properties propertiesCopy;
    private final TimeZone timeZone;
    private final Locale locale;
    private final Locale displayLocale;
    private final Locale formatLocale;
    private final Provider[] providers;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Thread.UncaughtExceptionHandler uncaught;
    private final ProxySelector proxySelector;
    private final Authenticator authenticator;
    private final CookieHandler cookieHandler;
    private final ResponseCache responseCache;
    private final HostnameVerifier hostnameVerifier;
    private final SSLSocketFactory sslSocketFactory;
    private final String threadName;
    private final int threadPriority;
    private final ClassLoader contextLoader;
    private final Thread.UncaughtExceptionHandler threadUncaught;
    private final PythonLogBridge.Sink logRoute;
    private final MapperState mapper;

    private JvmState(Thread self) {
        properties = System.getProperties();
        propertiesCopy = copy(properties);
        timeZone = TimeZone.getDefault();
        locale = Locale.getDefault();
        displayLocale = Locale.getDefault(Locale.Category.DISPLAY);
        formatLocale = Locale.getDefault(Locale.Category.FORMAT);
        providers = Security.getProviders();
        in = System.in;
        out = System.out;
        err = System.err;
        uncaught = Thread.getDefaultUncaughtExceptionHandler();
        proxySelector = ProxySelector.getDefault();
        authenticator = Authenticator.getDefault();
        cookieHandler = CookieHandler.getDefault();
        responseCache = ResponseCache.getDefault();
        hostnameVerifier = HttpsURLConnection.getDefaultHostnameVerifier();
        sslSocketFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        threadName = self.getName();
        threadPriority = self.getPriority();
        contextLoader = self.getContextClassLoader();
        threadUncaught = self.getUncaughtExceptionHandler();
        logRoute = PythonLogBridge.route();
        mapper = MapperState.of(Json.MAPPER);
    }

    /**
     * Record the state, after taking the JDK's set-once hooks with factories that change nothing; to be called
     * once, on the thread that runs calls, before the first call.
     */
    static JvmState take(Thread self) {
        // null from a factory means "the JDK's own handler", so these change nothing but who may set them
        URL.setURLStreamHandlerFactory(protocol -> null);
        URLConnection.setContentHandlerFactory(mimeType -> null);
        HttpsURLConnection.setDefaultSSLSocketFactory(new DefaultSslSocketFactory());
        return new JvmState(self);
    }

    /** @return what could not be put back (the worker must not serve another call), empty when all is as recorded */
    List<String> restore(Thread self) {
        List<String> lost = new ArrayList<>();
        if (System.getProperties() != properties) {
            System.setProperties(copy(propertiesCopy));
        } else if (!properties.equals(propertiesCopy)) {
            properties.clear();
            properties.putAll(propertiesCopy);
        }
        if (!timeZone.equals(TimeZone.getDefault()) || TimeZone.getDefault().getClass() != timeZone.getClass()) {
            TimeZone.setDefault(timeZone);
        }
        if (!locale.equals(Locale.getDefault())) {
            Locale.setDefault(locale);
        }
        if (!displayLocale.equals(Locale.getDefault(Locale.Category.DISPLAY))) {
            Locale.setDefault(Locale.Category.DISPLAY, displayLocale);
        }
        if (!formatLocale.equals(Locale.getDefault(Locale.Category.FORMAT))) {
            Locale.setDefault(Locale.Category.FORMAT, formatLocale);
        }
        Provider[] now = Security.getProviders();
        if (!Arrays.equals(now, providers)) {
            for (Provider provider : now) {
                Security.removeProvider(provider.getName());
            }
            for (Provider provider : providers) {
                Security.addProvider(provider);
            }
            if (!Arrays.equals(Security.getProviders(), providers)) {
                lost.add("security providers changed");
            }
        }
        if (System.in != in) {
            System.setIn(in);
        }
        if (System.out != out) {
            System.setOut(out);
        }
        if (System.err != err) {
            System.setErr(err);
        }
        if (Thread.getDefaultUncaughtExceptionHandler() != uncaught) {
            Thread.setDefaultUncaughtExceptionHandler(uncaught);
        }
        if (ProxySelector.getDefault() != proxySelector) {
            ProxySelector.setDefault(proxySelector);
        }
        if (Authenticator.getDefault() != authenticator) {
            Authenticator.setDefault(authenticator);
        }
        if (CookieHandler.getDefault() != cookieHandler) {
            CookieHandler.setDefault(cookieHandler);
        }
        if (ResponseCache.getDefault() != responseCache) {
            ResponseCache.setDefault(responseCache);
        }
        if (HttpsURLConnection.getDefaultHostnameVerifier() != hostnameVerifier) {
            HttpsURLConnection.setDefaultHostnameVerifier(hostnameVerifier);
        }
        if (HttpsURLConnection.getDefaultSSLSocketFactory() != sslSocketFactory) {
            HttpsURLConnection.setDefaultSSLSocketFactory(sslSocketFactory);
        }
        if (!threadName.equals(self.getName())) {
            self.setName(threadName);
        }
        if (self.getPriority() != threadPriority) {
            self.setPriority(threadPriority);
        }
        if (self.getContextClassLoader() != contextLoader) {
            self.setContextClassLoader(contextLoader);
        }
        if (self.getUncaughtExceptionHandler() != threadUncaught) {
            self.setUncaughtExceptionHandler(threadUncaught);
        }
        Thread.interrupted(); // an interrupt the call left pending would hit the next call's first wait
        if (PythonLogBridge.route() != logRoute) {
            PythonLogBridge.routeTo(logRoute);
        }
        if (!mapper.equals(MapperState.of(Json.MAPPER))) {
            // a module or serializer registered, a feature switched: the mapper cannot be put back in place
            lost.add("the JSON mapper harpd encodes answers with was changed");
        }
        return lost;
    }

    private static Properties copy(Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /**
     * What of Jackson's shared mapper a call could change: every setter of an {@link ObjectMapper} replaces its
     * immutable configuration objects or factories, so their identities tell; the parser's and generator's
     * features are flags of the shared {@link JsonFactory}, compared one by one.
     */
    private record MapperState(Object serialization, Object deserialization, Object serializerFactory,
                               Object serializerProvider, Object typeFactory, Object nodeFactory,
                               JsonFactory factory, int modules, String features, Object escapes,
                               Object inputDecorator, Object outputDecorator, Object injectables) {
        static MapperState of(ObjectMapper mapper) {
            JsonFactory factory = mapper.getFactory();
            StringBuilder features = new StringBuilder();
            for (JsonFactory.Feature feature : JsonFactory.Feature.values()) {
                features.append(factory.isEnabled(feature) ? '1' : '0');
            }
            for (JsonParser.Feature feature : JsonParser.Feature.values()) {
                features.append(factory.isEnabled(feature) ? '1' : '0');
            }
            for (JsonGenerator.Feature feature : JsonGenerator.Feature.values()) {
                features.append(factory.isEnabled(feature) ? '1' : '0');
            }
            return new MapperState(mapper.getSerializationConfig(), mapper.getDeserializationConfig(),
                    mapper.getSerializerFactory(), mapper.getSerializerProvider(), mapper.getTypeFactory(),
                    mapper.getNodeFactory(), factory, mapper.getRegisteredModuleIds().size(), features.toString(),
                    factory.getCharacterEscapes(), factory.getInputDecorator(), factory.getOutputDecorator(),
                    mapper.getInjectableValues());
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof MapperState that)) {
                return false;
            }
            return serialization == that.serialization && deserialization == that.deserialization
                    && serializerFactory == that.serializerFactory && serializerProvider == that.serializerProvider
                    && typeFactory == that.typeFactory && nodeFactory == that.nodeFactory && factory == that.factory
                    && modules == that.modules && features.equals(that.features) && escapes == that.escapes
                    && inputDecorator == that.inputDecorator && outputDecorator == that.outputDecorator
                    && injectables == that.injectables;
        }

        @Override
        public int hashCode() {
            return features.hashCode();
        }
    }
}
