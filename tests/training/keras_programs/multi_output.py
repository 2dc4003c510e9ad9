"""A functional model with two inputs and two outputs, a loss dict, loss weights and per-output metrics
(keras.io, "The Functional API": the ticket-ranking example, made small).
"""
from tests.training.keras_programs import data


def run(keras, GradientTape, seed, epochs=8):
    layers = keras.layers
    keras.utils.set_random_seed(seed)
    (tokens, features), (priority, department) = data.tickets()
    text_input = keras.Input(shape=(tokens.shape[1],), name="text")
    feature_input = keras.Input(shape=(features.shape[1],), name="features")
    embedded = layers.Embedding(50, 16)(text_input)
    text_features = layers.GlobalAveragePooling1D()(embedded)
    merged = layers.concatenate([text_features, feature_input])
    hidden = layers.Dense(32, activation="relu")(merged)
    priority_output = layers.Dense(1, activation="sigmoid", name="priority")(hidden)
    department_output = layers.Dense(4, activation="softmax", name="department")(hidden)
    model = keras.Model(inputs=[text_input, feature_input], outputs=[priority_output, department_output])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3),
                  loss={"priority": keras.losses.BinaryCrossentropy(), "department": "categorical_crossentropy"},
                  loss_weights={"priority": 1.0, "department": 0.5},
                  metrics={"priority": ["accuracy"], "department": ["accuracy"]})
    history = model.fit({"text": tokens[:192], "features": features[:192]},
                        {"priority": priority[:192], "department": department[:192]},
                        epochs=epochs, batch_size=32, verbose=0)
    evaluation = model.evaluate([tokens[192:], features[192:]], [priority[192:], department[192:]], verbose=0,
                                return_dict=True)
    logs = history.history
    return {"loss": logs["loss"][-1], "priority_loss": logs["priority_loss"][-1],
            "department_loss": logs["department_loss"][-1], "priority_accuracy": logs["priority_accuracy"][-1],
            "department_accuracy": logs["department_accuracy"][-1], "val_loss": evaluation["loss"],
            "val_priority_accuracy": evaluation["priority_accuracy"],
            "val_department_accuracy": evaluation["department_accuracy"]}
