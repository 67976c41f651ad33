package org.harpd.server;

import io.netty.channel.Channel;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Messages;
import org.harpd.worker.CallSink;

/**
 * Delivers a call's output to its connection. Worker threads call in; every write is handed to the
 * channel's event loop, whose task queue keeps the order in which the worker produced the lines.
 */
final class ChannelCallSink implements CallSink {
    private final Channel channel;
    private final Consumer<HarpError> onEnd;

    /** @param onEnd run on the event loop when the call ends, with the failure or null, before the last line */
    ChannelCallSink(Channel channel, Consumer<HarpError> onEnd) {
        this.channel = channel;
        this.onEnd = onEnd;
    }

    @Override
    public void stream(byte[] line) {
        onEventLoop(() -> ConnectionReply.send(channel, line));
    }

    @Override
    public void completed(byte[] line) {
        onEventLoop(() -> {
            onEnd.accept(null);
            ConnectionReply.finish(channel, line);
        });
    }

    @Override
    public void failed(HarpError error) {
        onEventLoop(() -> {
            onEnd.accept(error);
            ConnectionReply.finish(channel, Messages.error(error));
        });
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // the server has shut its event loops down; the connection is gone with them
        }
    }
}
